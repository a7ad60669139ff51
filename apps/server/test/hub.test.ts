/** The agent hub over real WebSockets: registration, hello, state pushes and acks, commands, deletion, liveness. */
import type {
  Agent,
  AgentFacts,
  AuditEntry,
  CommandLogEntry,
  Device,
  MetricPoint,
  Overview,
  PortForward,
  RegistrationTokenCreated,
  TunnelClient,
  TunnelServer,
} from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Client, signIn, skipDb, startTestServer, type TestServer } from './harness.ts'
import { facts, WsAgent, wgPublicKey } from './wsAgent.ts'

const skip = await skipDb()

type Page<T> = { items: T[]; total: number }

describe.skipIf(skip)('agent hub', () => {
  let t: TestServer
  let admin: Client
  const sockets: WsAgent[] = []

  async function agent(): Promise<WsAgent> {
    const a = await WsAgent.connect(t.url)
    sockets.push(a)
    return a
  }

  async function token(kind: 'server' | 'client', name: string, tunnelServerId?: string): Promise<string> {
    const r = await admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', { kind, name, tunnelServerId })
    expect(r.status).toBe(201)
    return r.body.token
  }

  /** Registers and connects an agent; returns its id, credential and open socket (after the first state). */
  async function enrol(kind: 'server' | 'client', name: string, tunnelServerId?: string) {
    // One identity per agent: a different WireGuard key on hello would be a key change.
    const f = facts()
    const reg = await agent()
    reg.register(await token(kind, name, tunnelServerId), kind, f)
    const { agentId, credential } = await reg.next('registered')
    await reg.closed
    const a = await agent()
    a.hello(agentId, credential, 0, f)
    await a.next('welcome')
    const first = await a.next('desired_state')
    return { agentId, credential, socket: a, first, facts: f }
  }

  beforeAll(async () => {
    t = await startTestServer({ agentDeadAfterMs: 1500 })
    admin = await signIn(t)
  })
  afterAll(async () => {
    for (const s of sockets) s.socket.terminate()
    await t?.close()
  })

  test('a server registers, connects, receives its state and acknowledges it', async () => {
    const { agentId, socket, first } = await enrol('server', 'vps-a')
    expect(first.state).toMatchObject({
      mode: 'server',
      revision: 1,
      forwards: [],
      wireguard: { name: 'wg0', listenPort: 51820 },
    })
    socket.send({ type: 'applied', revision: 1, ok: true, durationMs: 12 })
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body)
      .toMatchObject({
        status: 'connected',
        appliedRevision: 1,
        desiredRevision: 1,
        hostname: 'test-host',
        lastApplyError: null,
      })
    const servers = await admin.get<Page<TunnelServer>>('/api/v1/tunnel-servers')
    expect(servers.body.items.find((s) => s.agentId === agentId)).toMatchObject({ name: 'vps-a', wgPort: 51820 })
  })

  test('refused tokens say why: used, expired, revoked, wrong kind, forged, old protocol', async () => {
    const used = await token('server', 'once')
    const r1 = await agent()
    r1.register(used)
    await r1.next('registered')
    const again = await agent()
    again.register(used)
    expect((await again.next('error')).code).toBe('register.token_used')
    expect((await again.closed).code).toBe(4001)

    const expiring = await admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', {
      kind: 'server',
      name: 'late',
    })
    await t.db
      .updateTable('registrationTokens')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', expiring.body.id)
      .execute()
    const late = await agent()
    late.register(expiring.body.token)
    const lateErr = await late.next('error')
    expect(lateErr.code).toBe('register.token_expired')
    expect(lateErr.message).toMatch(/expired on .*Create a new one/)

    const revoked = await admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', {
      kind: 'client',
      name: 'gone',
    })
    await admin.delete(`/api/v1/registration-tokens/${revoked.body.id}`)
    const r3 = await agent()
    r3.register(revoked.body.token)
    expect((await r3.next('error')).code).toBe('register.token_revoked')

    const wrong = await agent()
    wrong.register(await token('client', 'a-client'), 'server')
    const wrongErr = await wrong.next('error')
    expect(wrongErr.code).toBe('register.wrong_kind')
    expect(wrongErr.message).toMatch(/registers a client agent, but this agent was installed as a server/)

    const forged = await agent()
    forged.register('wwr_forgedforgedforgedforgedforgedforgedforge')
    expect((await forged.next('error')).code).toBe('register.token_invalid')

    const old = await agent()
    old.send({ type: 'register', protocolVersion: 99, token: await token('server', 'future'), facts: facts() })
    const oldErr = await old.next('error')
    expect(oldErr.code).toBe('protocol.unsupported')
    expect(oldErr.message).toMatch(/speaks agent protocol version 1, 2; the agent speaks 99/)

    // None of the refused registrations left an agent behind.
    const names = (await admin.get<Page<Agent>>('/api/v1/agents?limit=500')).body.items.map((a) => a.name)
    expect(names).not.toContain('late')
    expect(names).not.toContain('a-client')
    expect(names).not.toContain('future')
  })

  test('a client token naming a server attaches the client with a tunnel address; both get new states', async () => {
    const server = await enrol('server', 'vps-b')
    const serverRow = (await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body
    const client = await enrol('client', 'homelab-b', serverRow.tunnelServerId!)
    expect(client.first.state).toMatchObject({
      mode: 'client',
      wireguard: { addresses: ['10.99.0.2/24'], peers: [{ name: 'vps-b', endpoint: null, persistentKeepalive: 25 }] },
    })
    // The server learns its new peer without reconnecting.
    const update = await server.socket.next('desired_state')
    expect(update.state.revision).toBeGreaterThan(server.first.state.revision)
    expect(update.state.mode === 'server' && update.state.wireguard.peers.map((p) => p.name)).toEqual(['homelab-b'])
  })

  test('a port forward change is pushed to both ends; the ack shows on the API', async () => {
    const server = await enrol('server', 'vps-c')
    const serverRow = (await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body
    const client = await enrol('client', 'homelab-c', serverRow.tunnelServerId!)
    await server.socket.next('desired_state') // the new peer
    const clientRow = (await admin.get<Agent>(`/api/v1/agents/${client.agentId}`)).body

    const f = await admin.post<PortForward>('/api/v1/port-forwards', {
      tunnelServerId: serverRow.tunnelServerId,
      tunnelClientId: clientRow.tunnelClientId,
      protocol: 'tcp',
      publicPort: 25565,
      destinationIp: '10.99.0.2',
      destinationPort: 25565,
      preserveClientIp: true,
    })
    expect(f.status).toBe(201)
    const s = await server.socket.next('desired_state')
    expect(s.state.mode === 'server' && s.state.forwards).toEqual([
      expect.objectContaining({ publicPort: 25565, via: '10.99.0.2' }),
    ])
    const c = await client.socket.next('desired_state')
    expect(c.state.mode === 'client' && c.state.inboundForwards.map((x) => x.publicPort)).toEqual([25565])

    type Status = {
      forwards: { id: string; applied: boolean; packets: number | null }[]
      peers: { name: string | null; rxBytes: number }[]
    }
    const statusUrl = `/api/v1/tunnel-servers/${serverRow.tunnelServerId}/status`
    expect((await admin.get<Status>(statusUrl)).body.forwards).toEqual([
      { id: f.body.id, applied: false, packets: null, bytes: null },
    ])
    server.socket.send({ type: 'applied', revision: s.state.revision, ok: true, durationMs: 5 })
    const serverPeers = s.state.mode === 'server' ? s.state.wireguard.peers : []
    server.socket.send({
      type: 'metrics',
      at: new Date().toISOString(),
      sample: {
        cpu: 0.1,
        memoryUsedBytes: 1,
        memoryTotalBytes: 2,
        load: [0, 0, 0],
        uptimeSeconds: 1,
        interfaces: [],
        peers: serverPeers.map((p) => ({
          publicKey: p.publicKey,
          endpoint: '203.0.113.7:40000',
          latestHandshakeAt: new Date().toISOString(),
          rxBytes: 1234,
          txBytes: 99,
        })),
        forwards: [{ id: f.body.id, packets: 7, bytes: 700 }],
      },
    })
    await expect
      .poll(async () => (await admin.get<Status>(statusUrl)).body)
      .toMatchObject({
        forwards: [{ id: f.body.id, applied: true, packets: 7 }],
        peers: [{ name: 'homelab-c', rxBytes: 1234 }],
      })

    server.socket.send({
      type: 'applied',
      revision: s.state.revision,
      ok: false,
      error: 'nft: syntax error',
      durationMs: 5,
    })
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body)
      .toMatchObject({ lastApplyError: 'nft: syntax error', desiredRevision: s.state.revision })

    // Disabling removes it from the state; enabling brings it back.
    await admin.post(`/api/v1/port-forwards/${f.body.id}/disable`)
    const off = await server.socket.next('desired_state')
    expect(off.state.mode === 'server' && off.state.forwards).toEqual([])
    server.socket.send({ type: 'applied', revision: off.state.revision, ok: true, durationMs: 5 })
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body)
      .toMatchObject({ appliedRevision: off.state.revision, lastApplyError: null })
  })

  test('reconnecting with an old revision gets the state again; with the current one, nothing', async () => {
    const { agentId, credential, socket, first, facts: f } = await enrol('server', 'vps-d')
    socket.close()
    await socket.closed
    const behind = await agent()
    behind.hello(agentId, credential, 0, f)
    await behind.next('welcome')
    expect((await behind.next('desired_state')).state.revision).toBe(first.state.revision)
    behind.close()
    await behind.closed
    const current = await agent()
    current.hello(agentId, credential, first.state.revision, f, { appliedEpoch: first.state.epoch })
    await current.next('welcome')
    await expect(current.next('desired_state', 500)).rejects.toThrow(/no desired_state/)
  })

  test('commands: round trip, timeout, and an agent that is not connected', async () => {
    const { agentId, socket } = await enrol('server', 'vps-e')
    const pending = admin.post<CommandLogEntry>(`/api/v1/agents/${agentId}/commands`, { command: 'ping', wait: true })
    const cmd = await socket.next('command')
    expect(cmd).toMatchObject({ command: 'ping', timeoutMs: 30_000 })
    socket.send({ type: 'command_result', id: cmd.id, ok: true, result: { pong: true } })
    const done = await pending
    expect(done.status).toBe(201)
    expect(done.body).toMatchObject({ status: 'success', result: { pong: true }, requestedBy: 'admin@example.com' })

    const slow = await admin.post<CommandLogEntry>(`/api/v1/agents/${agentId}/commands`, {
      command: 'diagnostics',
      timeoutSeconds: 1,
      wait: true,
    })
    expect(slow.body).toMatchObject({ status: 'timeout', error: 'No answer within 1 s' })
    // A late answer does not overwrite the timeout.
    const late = await socket.next('command')
    socket.send({ type: 'command_result', id: late.id, ok: true, result: {} })

    const history = await admin.get<Page<CommandLogEntry>>(`/api/v1/agents/${agentId}/commands`)
    expect(history.body.items.map((c) => [c.command, c.status])).toEqual([
      ['diagnostics', 'timeout'],
      ['ping', 'success'],
    ])

    const off = await enrol('server', 'vps-off')
    off.socket.close()
    await off.socket.closed
    const r = await admin.post<CommandLogEntry>(`/api/v1/agents/${off.agentId}/commands`, { command: 'ping' })
    expect(r.body).toMatchObject({ status: 'failed', error: 'The agent is not connected.' })
  })

  test('uninstall: a 0.1 agent is refused with the manual way; a newer one reports, leaves and shows uninstalled', async () => {
    const old = await enrol('server', 'vps-old')
    const refused = await admin.post<CommandLogEntry>(`/api/v1/agents/${old.agentId}/commands`, {
      command: 'uninstall',
      wait: true,
    })
    expect(refused.status).toBe(201)
    expect(refused.body).toMatchObject({
      command: 'uninstall',
      status: 'failed',
      error:
        'This agent version cannot uninstall itself; run the install script with --uninstall on the host, or update the agent first.',
    })
    expect(old.socket.all('command')).toEqual([])

    const f = facts({
      host: {
        wireguard: 'kernel',
        nftables: 'v1.0.6',
        distribution: 'Debian GNU/Linux 12 (bookworm)',
        init: 'systemd',
        install: 'executable',
        node: '24.11.1',
      },
    })
    const reg = await agent()
    reg.register(await token('server', 'vps-new'), 'server', f)
    const { agentId, credential } = await reg.next('registered')
    const a = await agent()
    a.hello(agentId, credential, 0, f, { commands: ['ping', 'diagnostics', 'restart', 'uninstall'] })
    await a.next('welcome')
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body)
      .toMatchObject({ status: 'connected', host: f.host, uninstalledAt: null })

    const pending = admin.post<CommandLogEntry>(`/api/v1/agents/${agentId}/commands`, {
      command: 'uninstall',
      wait: true,
    })
    const cmd = await a.next('command')
    expect(cmd).toMatchObject({ command: 'uninstall' })
    const removed = { removed: ['/usr/local/lib/wirewarp'], ignored: [], failed: [] }
    // As the agent does: the report, then goodbye at once. The report still counts.
    a.send({ type: 'command_result', id: cmd.id, ok: true, result: removed })
    a.close()
    expect((await pending).body).toMatchObject({ status: 'success', result: removed })
    await a.closed
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body)
      .toMatchObject({ status: 'disconnected', uninstalledAt: expect.any(String) })
    // Not an agent that needs attention, nor counted as disconnected.
    const overview = (await admin.get<Overview>('/api/v1/overview')).body
    expect(overview.attention.agents.map((x) => x.id)).not.toContain(agentId)
    expect(overview.agents.uninstalled).toBeGreaterThanOrEqual(1)
    const audit = await admin.get<Page<{ action: string }>>('/api/v1/audit-log?limit=5')
    expect(audit.body.items.map((e) => e.action)).toContain('agent.command.uninstall')

    // Back on the host (installed again from a backup of its config): installed again.
    const back = await agent()
    back.hello(agentId, credential, 0, f, { commands: ['ping', 'diagnostics', 'restart', 'uninstall'] })
    await back.next('welcome')
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body)
      .toMatchObject({ status: 'connected', uninstalledAt: null })
  })

  test('host facts an agent got wrong read as unknown; an older agent shows none', async () => {
    const { agentId, credential, socket } = await enrol('server', 'vps-plain')
    expect((await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body.host).toBeNull()
    socket.close()
    await socket.closed
    const odd = { wireguard: 'quantum', nftables: 'v'.repeat(500), init: 'runit', node: 'v\u0007' }
    const again = await agent()
    again.hello(agentId, credential, 0, { ...facts(), host: odd } as unknown as AgentFacts)
    await again.next('welcome')
    // Welcome goes out before the hello is stored.
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body.host)
      .toEqual({
        wireguard: 'unknown',
        nftables: 'unknown',
        distribution: null,
        init: 'unknown',
        install: 'unknown',
        node: 'unknown',
      })
  })

  test('metrics are stored and read back by time', async () => {
    const { agentId, socket } = await enrol('server', 'vps-f')
    const sample = {
      cpu: 0.25,
      memoryUsedBytes: 1e9,
      memoryTotalBytes: 4e9,
      load: [0.5, 0.4, 0.3],
      uptimeSeconds: 3600,
      interfaces: [],
    }
    socket.send({ type: 'metrics', at: new Date().toISOString(), sample })
    socket.send({ type: 'heartbeat' })
    await socket.next('heartbeat_ack')
    const m = await admin.get<{ items: MetricPoint[] }>(`/api/v1/agents/${agentId}/metrics`)
    expect(m.body.items).toHaveLength(1)
    expect(m.body.items[0]!.sample).toEqual(sample)
    const future = await admin.get<{ items: MetricPoint[] }>(
      `/api/v1/agents/${agentId}/metrics?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    )
    expect(future.body.items).toEqual([])
  })

  test("devices' traffic lands in their own table, not in the sample; online is a handshake under 3 minutes", async () => {
    const { agentId, socket } = await enrol('server', 'vps-stats')
    const server = (await admin.get<Page<TunnelServer>>('/api/v1/tunnel-servers?limit=500')).body.items.find(
      (s) => s.agentId === agentId,
    )!
    const mk = async (name: string) => {
      const r = await admin.post<Device>('/api/v1/devices', {
        name,
        tunnelServerId: server.id,
        publicKey: wgPublicKey(),
      })
      expect(r.status).toBe(201)
      return r.body
    }
    const [fresh, stale] = [await mk('fresh phone'), await mk('stale phone')]
    const site = {
      publicKey: wgPublicKey(),
      endpoint: '198.51.100.7:40000',
      latestHandshakeAt: new Date().toISOString(),
      rxBytes: 1,
      txBytes: 2,
    }
    const peers = [
      site,
      {
        publicKey: fresh.publicKey,
        endpoint: '192.0.2.44:51000',
        latestHandshakeAt: new Date(Date.now() - 60_000).toISOString(),
        rxBytes: 5e9,
        txBytes: 7e9,
      },
      {
        publicKey: stale.publicKey,
        endpoint: null,
        latestHandshakeAt: new Date(Date.now() - 200_000).toISOString(),
        rxBytes: 10,
        txBytes: 20,
      },
    ]
    const base = {
      cpu: 0.1,
      memoryUsedBytes: 1,
      memoryTotalBytes: 2,
      load: [0, 0, 0],
      uptimeSeconds: 1,
      interfaces: [],
    }
    socket.send({ type: 'metrics', at: new Date().toISOString(), sample: { ...base, peers } })
    socket.send({ type: 'heartbeat' })
    await socket.next('heartbeat_ack')
    const f = (await admin.get<Device>(`/api/v1/devices/${fresh.id}`)).body
    expect(f.stats).toMatchObject({ online: true, rxBytes: 5e9, txBytes: 7e9, endpoint: '192.0.2.44:51000' })
    expect((await admin.get<Device>(`/api/v1/devices/${stale.id}`)).body.stats).toMatchObject({
      online: false,
      rxBytes: 10,
    })
    // The sample keeps only the site's peer.
    const m = await admin.get<{ items: MetricPoint[] }>(`/api/v1/agents/${agentId}/metrics`)
    expect((m.body.items.at(-1)!.sample as { peers: unknown[] }).peers).toEqual([site])
    // A second report in the same bucket overwrites the latest and adds no history row.
    socket.send({
      type: 'metrics',
      at: new Date().toISOString(),
      sample: { ...base, peers: [{ ...peers[1]!, rxBytes: 6e9 }] },
    })
    socket.send({ type: 'heartbeat' })
    await socket.next('heartbeat_ack')
    expect((await admin.get<Device>(`/api/v1/devices/${fresh.id}`)).body.stats.rxBytes).toBe(6e9)
    const history = await t.db.selectFrom('deviceTraffic').selectAll().where('deviceId', '=', fresh.id).execute()
    expect(history.map((h) => Number(h.rxBytes))).toEqual([5e9])
    // Hostile figures from an agent are made safe, not stored as they came (nor do they fail).
    socket.send({
      type: 'metrics',
      at: new Date().toISOString(),
      sample: {
        ...base,
        peers: [{ ...peers[1]!, rxBytes: -5, txBytes: 1e300, latestHandshakeAt: 'yesterday' }],
      },
    })
    socket.send({ type: 'heartbeat' })
    await socket.next('heartbeat_ack')
    expect((await admin.get<Device>(`/api/v1/devices/${fresh.id}`)).body.stats).toMatchObject({
      rxBytes: 0,
      txBytes: Number.MAX_SAFE_INTEGER,
      latestHandshakeAt: null,
      online: false,
    })
  })

  test('a newer connection replaces the older one', async () => {
    const { agentId, credential, socket, facts: f } = await enrol('client', 'twin')
    const newer = await agent()
    newer.hello(agentId, credential, 1, f)
    await newer.next('welcome')
    expect((await socket.next('error')).code).toBe('hello.replaced')
    expect((await socket.closed).code).toBe(4002)
    // The agent stays connected through the newer socket.
    expect((await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body.status).toBe('connected')
  })

  test('deleting an agent closes its socket within a second and refuses it afterwards', async () => {
    const { agentId, credential, socket } = await enrol('server', 'doomed')
    const started = Date.now()
    expect((await admin.delete(`/api/v1/agents/${agentId}`)).status).toBe(204)
    const closed = await socket.closed
    expect(closed.code).toBe(4003)
    expect(Date.now() - started).toBeLessThan(1000)
    const back = await agent()
    back.hello(agentId, credential)
    const err = await back.next('error')
    // The same answer as for a wrong credential: nobody learns which agent ids exist.
    expect(err.code).toBe('hello.bad_credential')
    expect(err.message).toMatch(/Register it again/)
  })

  test('a new WireGuard key on hello reaches the peers', async () => {
    const server = await enrol('server', 'vps-k')
    const serverRow = (await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body
    const client = await enrol('client', 'homelab-k', serverRow.tunnelServerId!)
    await server.socket.next('desired_state')
    client.socket.close()
    await client.socket.closed
    const rekeyed = facts()
    const again = await agent()
    again.hello(client.agentId, client.credential, client.first.state.revision, rekeyed)
    await again.next('welcome')
    const s = await server.socket.next('desired_state')
    expect(s.state.mode === 'server' && s.state.wireguard.peers.map((p) => p.publicKey)).toEqual([rekeyed.publicKey])
  })

  test('a bad credential or a message before hello is refused', async () => {
    const { agentId } = await enrol('server', 'vps-g')
    const bad = await agent()
    bad.hello(agentId, 'wwa_wrong')
    expect((await bad.next('error')).code).toBe('hello.bad_credential')
    const rude = await agent()
    rude.send({ type: 'heartbeat' })
    expect((await rude.next('error')).code).toBe('protocol.hello_first')
    const garbage = await agent()
    garbage.send('not json')
    expect((await garbage.next('error')).code).toBe('protocol.invalid_json')
  })

  test('a silent connection is closed as dead and the agent shows disconnected', async () => {
    const { agentId, socket } = await enrol('server', 'quiet')
    // The test server declares agents dead after 1.5 s of silence.
    const closed = await socket.closed
    expect(closed.code).toBe(4004)
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body.status)
      .toBe('disconnected')
  })

  test('the dashboard stream reports an agent connecting and disconnecting', async () => {
    const controller = new AbortController()
    const res = await fetch(`${t.url}/api/v1/events`, {
      headers: { cookie: admin.auth.cookie! },
      signal: controller.signal,
    })
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    const { agentId, socket } = await enrol('server', 'streamed')
    const until = async (re: RegExp) => {
      while (!re.test(text)) {
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        text += value
      }
    }
    await until(new RegExp(`"id":"${agentId}"[^\\n]*"status":"connected"`))
    socket.close()
    await until(new RegExp(`"id":"${agentId}"[^\\n]*"status":"disconnected"`))
    controller.abort()
  })
  test('a tunnel is up only while its server agent reports a fresh handshake; otherwise down with the reason', async () => {
    const server = await enrol('server', 'vps-state')
    const serverRow = (await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body
    const serverUrl = `/api/v1/tunnel-servers/${serverRow.tunnelServerId}`
    const ts = (await admin.get<TunnelServer>(serverUrl)).body
    // Registration leaves the public IP to the admin; the address the agent came from is offered.
    expect(ts).toMatchObject({ publicIp: null, agentAddress: '127.0.0.1' })
    const client = await enrol('client', 'homelab-state', serverRow.tunnelServerId!)
    await server.socket.next('desired_state')
    const clientId = (await admin.get<Agent>(`/api/v1/agents/${client.agentId}`)).body.tunnelClientId!
    const tunnel = async () => (await admin.get<TunnelClient>(`/api/v1/tunnel-clients/${clientId}`)).body.tunnel

    expect(await tunnel()).toEqual({
      state: 'down',
      reason: 'no_public_ip',
      message: 'the server has no public IP',
      latestHandshakeAt: null,
    })
    expect((await admin.patch(serverUrl, { publicIp: '203.0.113.50' })).status).toBe(200)
    const s = await server.socket.next('desired_state')
    expect(await tunnel()).toMatchObject({ state: 'down', reason: 'no_report' })

    const peerKey = s.state.mode === 'server' ? s.state.wireguard.peers[0]!.publicKey : ''
    const report = (handshakes: { publicKey: string; latestHandshakeAt: string | null }[]) => {
      server.socket.send({
        type: 'metrics',
        at: new Date().toISOString(),
        sample: {
          cpu: 0,
          memoryUsedBytes: 1,
          memoryTotalBytes: 2,
          load: [0, 0, 0],
          uptimeSeconds: 1,
          interfaces: [],
          peers: handshakes.map((h) => ({ ...h, endpoint: null, rxBytes: 0, txBytes: 0 })),
        },
      })
    }
    report([{ publicKey: peerKey, latestHandshakeAt: null }])
    await expect.poll(tunnel).toMatchObject({ state: 'down', reason: 'never_handshaken', message: 'never handshaken' })

    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000).toISOString()
    report([{ publicKey: peerKey, latestHandshakeAt: tenMinutesAgo }])
    await expect.poll(tunnel).toEqual({
      state: 'down',
      reason: 'handshake_stale',
      message: 'last handshake 10 minutes ago',
      latestHandshakeAt: tenMinutesAgo,
    })

    const justNow = new Date().toISOString()
    report([{ publicKey: peerKey, latestHandshakeAt: justNow }])
    await expect.poll(tunnel).toEqual({ state: 'up', reason: null, message: null, latestHandshakeAt: justNow })
    const list = await admin.get<Page<TunnelClient>>(
      `/api/v1/tunnel-clients?tunnelServerId=${serverRow.tunnelServerId}`,
    )
    expect(list.body.items.map((c) => c.tunnel.state)).toEqual(['up'])

    // A report from an agent that has gone is no evidence of a tunnel.
    server.socket.close()
    await expect.poll(tunnel).toMatchObject({ state: 'down', reason: 'server_agent_disconnected' })
  })

  test('drift: a repair shows as lastRepair and in the audit log; check_drift goes through the commands API', async () => {
    const f = facts()
    const reg = await agent()
    reg.register(await token('server', 'vps-drift'), 'server', f)
    const { agentId, credential } = await reg.next('registered')
    const a = await agent()
    a.hello(agentId, credential, 0, f, { commands: ['ping', 'diagnostics', 'restart', 'check_drift'] })
    // The welcome says the hub takes drift reports: agents send them only to hubs that do.
    expect((await a.next('welcome')).features).toEqual(['drift_repaired'])
    const url = `/api/v1/agents/${agentId}`
    expect((await admin.get<Agent>(url)).body.lastRepair).toBeNull()

    const items = [
      { what: 'nftables', detail: 'table inet wirewarp missing' },
      { what: 'wireguard', detail: '2 peers missing' },
    ]
    a.send({ type: 'drift_repaired', at: '2026-03-01T12:00:00.000Z', ok: true, items })
    await expect
      .poll(async () => (await admin.get<Agent>(url)).body.lastRepair)
      .toEqual({ at: '2026-03-01T12:00:00.000Z', ok: true, items, error: null })
    const audit = await admin.get<Page<AuditEntry>>(`/api/v1/audit-log?action=agent.drift_repaired&targetId=${agentId}`)
    expect(audit.body.items).toMatchObject([
      { actorType: 'agent', actorId: agentId, action: 'agent.drift_repaired', summary: { ok: true, items } },
    ])

    // A failed repair replaces it; a time from the future is the server's instead.
    a.send({
      type: 'drift_repaired',
      at: '2999-01-01T00:00:00.000Z',
      ok: false,
      items: [items[0]],
      error: 'nft: no memory',
    })
    await expect.poll(async () => (await admin.get<Agent>(url)).body.lastRepair?.ok).toBe(false)
    const failed = (await admin.get<Agent>(url)).body.lastRepair!
    expect(failed).toMatchObject({ ok: false, items: [items[0]], error: 'nft: no memory' })
    expect(Date.parse(failed.at)).toBeLessThanOrEqual(Date.now())

    const pending = admin.post<CommandLogEntry>(`${url}/commands`, { command: 'check_drift', wait: true })
    const cmd = await a.next('command')
    expect(cmd).toMatchObject({ command: 'check_drift' })
    const found = { at: '2026-03-01T12:01:00.000Z', ok: true, items: [], checked: true }
    a.send({ type: 'command_result', id: cmd.id, ok: true, result: found })
    expect((await pending).body).toMatchObject({ command: 'check_drift', status: 'success', result: found })

    // An agent that does not announce it is not sent it.
    const old = await enrol('server', 'vps-drift-old')
    const refused = await admin.post<CommandLogEntry>(`/api/v1/agents/${old.agentId}/commands`, {
      command: 'check_drift',
      wait: true,
    })
    expect(refused.body).toMatchObject({ status: 'failed' })
    expect(old.socket.all('command')).toEqual([])
  })

  test('drift reports past the bounds are refused like other bad frames, and nothing is kept', async () => {
    const bad = [
      { what: 'nftables', detail: 'x'.repeat(201) },
      { what: 'x'.repeat(201), detail: '' },
      { what: '', detail: 'empty what' },
      { what: 'nftables', detail: 'escape \u001b[31m' },
    ]
    const tooMany = Array.from({ length: 33 }, (_, i) => ({ what: 'routes', detail: String(i) }))
    for (const items of [...bad.map((b) => [b]), tooMany]) {
      const { agentId, socket } = await enrol('server', `vps-drift-bad-${Math.random().toString(36).slice(2, 8)}`)
      socket.send({ type: 'drift_repaired', at: '2026-03-01T12:00:00.000Z', ok: true, items })
      expect((await socket.next('error')).code).toBe('protocol.invalid_message')
      expect((await socket.closed).code).toBe(4005)
      expect((await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body.lastRepair).toBeNull()
    }
    const { socket } = await enrol('server', 'vps-drift-long-error')
    socket.send({ type: 'drift_repaired', at: 'now', ok: false, items: [], error: 'e'.repeat(2001) })
    expect((await socket.closed).code).toBe(4005)
  })

  test('a gateway cannot be saved without a LAN network', async () => {
    const server = await enrol('server', 'vps-gw')
    const serverRow = (await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body
    const client = await enrol('client', 'homelab-gw', serverRow.tunnelServerId!)
    const clientId = (await admin.get<Agent>(`/api/v1/agents/${client.agentId}`)).body.tunnelClientId!
    const url = `/api/v1/tunnel-clients/${clientId}`
    const refused = await admin.patch<{ error: { fields: Record<string, string> } }>(url, { isGateway: true })
    expect(refused.status).toBe(400)
    expect(refused.body.error.fields.lanNetworks).toMatch(/at least one LAN network/)
    expect((await admin.get<TunnelClient>(url)).body.isGateway).toBe(false)
    const saved = await admin.patch<TunnelClient>(url, { isGateway: true, lanNetworks: ['192.168.7.0/24'] })
    expect(saved.status).toBe(200)
    expect(saved.body).toMatchObject({ isGateway: true, tunnel: { state: 'down', reason: 'no_public_ip' } })
    // Nor can its last network be taken away while it is a gateway.
    expect((await admin.patch(url, { lanNetworks: [] })).status).toBe(400)
  })
})
