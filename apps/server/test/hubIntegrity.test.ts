/**
 * Regression tests for faults seen in the hub and the tunnel model under concurrency and from
 * hostile agents: each test is named after what went wrong. Runs on SQLite and PostgreSQL.
 */
import type { Agent, CommandLogEntry, DesiredState, PortForward } from '@wirewarp/protocol'
import { CloseCode, FRAME_LIMITS } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Client, dbKind, signIn, skipDb, startTestServer, type TestServer, withToken } from './harness.ts'
import { AgentPool } from './hubAgents.ts'
import { facts, WsAgent } from './wsAgent.ts'

const skip = await skipDb()
type Page<T> = { items: T[]; total: number }

/** `{"a":{"a":…}}` as text (JSON.stringify of such a value would overflow the test's own stack). */
function nestedText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
}

function ranges(f: PortForward): { proto: string[]; lo: number; hi: number } {
  return {
    proto: f.protocol === 'both' ? ['tcp', 'udp'] : [f.protocol],
    lo: f.publicPort,
    hi: f.publicPortEnd ?? f.publicPort,
  }
}

function overlappingPairs(forwards: PortForward[]): [PortForward, PortForward][] {
  const out: [PortForward, PortForward][] = []
  for (let i = 0; i < forwards.length; i++)
    for (let j = i + 1; j < forwards.length; j++) {
      const a = ranges(forwards[i]!)
      const b = ranges(forwards[j]!)
      if (a.proto.some((p) => b.proto.includes(p)) && a.lo <= b.hi && b.lo <= a.hi)
        out.push([forwards[i]!, forwards[j]!])
    }
  return out
}

describe.skipIf(skip)(`hub and model integrity (${dbKind})`, () => {
  let t: TestServer
  let admin: Client
  const pool = new AgentPool(
    () => t,
    () => admin,
  )

  beforeAll(async () => {
    t = await startTestServer({ agentDeadAfterMs: 60_000 })
    admin = await signIn(t)
  })
  afterAll(async () => {
    pool.closeAll()
    await t?.close()
  })

  async function tunnel(name: string) {
    const server = await pool.enrol('server', `vps-${name}`)
    const client = await pool.enrol('client', `lab-${name}`, server.row.tunnelServerId!)
    await server.socket.next('desired_state') // the new peer
    return { server, client, serverId: server.row.tunnelServerId!, clientId: client.row.tunnelClientId! }
  }

  test('overlapping forwards fired in parallel never both commit, and the server still renders', async () => {
    const { server, serverId, clientId } = await tunnel('overlap')
    const base = { tunnelServerId: serverId, tunnelClientId: clientId, destinationIp: '10.99.0.2' }
    const seen: [string, number, number?][] = [
      ['tcp', 13000, 13500],
      ['both', 13250],
      ['udp', 13100, 13300],
      ['tcp', 13400],
      ['both', 13000, 13010],
      ['tcp', 13499, 13600],
    ]
    // And 20 more that all overlap something: ranges around 14000.
    for (let i = 0; i < 20; i++)
      seen.push([(['tcp', 'udp', 'both'] as const)[i % 3]!, 14000 + i * 7, 14000 + i * 7 + 30])
    const replies = await Promise.all(
      seen.map(([protocol, publicPort, publicPortEnd]) =>
        admin.post<PortForward>('/api/v1/port-forwards', {
          ...base,
          protocol,
          publicPort,
          publicPortEnd: publicPortEnd ?? null,
          destinationPort: publicPort,
        }),
      ),
    )
    expect(replies.map((r) => r.status).filter((s) => s !== 201 && s !== 409)).toEqual([])
    const list = await admin.get<Page<PortForward>>(`/api/v1/port-forwards?tunnelServerId=${serverId}&limit=500`)
    expect(list.body.total).toBe(replies.filter((r) => r.status === 201).length)
    expect(overlappingPairs(list.body.items)).toEqual([])
    // Every refusal names the forward it collides with, by its ports.
    for (const r of replies.filter((r) => r.status === 409))
      expect((r.body as unknown as { error: { message: string } }).error.message).toMatch(/overlap/)
    const state = await admin.get<DesiredState>(`/api/v1/agents/${server.agentId}/desired-state`)
    expect(state.status).toBe(200)
  })

  test('parallel toggles never push an agent an older state, and its last applied state equals the database', async () => {
    const { server, serverId, clientId } = await tunnel('toggle')
    const forwards: PortForward[] = []
    for (let i = 0; i < 8; i++) {
      const r = await admin.post<PortForward>('/api/v1/port-forwards', {
        tunnelServerId: serverId,
        tunnelClientId: clientId,
        protocol: 'tcp',
        publicPort: 20000 + i,
        destinationIp: '10.99.0.2',
        destinationPort: 20000 + i,
      })
      expect(r.status).toBe(201)
      forwards.push(r.body)
    }
    server.socket.autoAck = true
    server.socket.revisions.length = 0
    const toggles = Array.from({ length: 48 }, (_, i) => {
      const f = forwards[i % 8]!
      return admin.post(`/api/v1/port-forwards/${f.id}/${(i >> 3) % 2 === 0 ? 'disable' : 'enable'}`)
    })
    expect((await Promise.all(toggles)).map((r) => r.status)).toEqual(Array(48).fill(200))

    const dbEnabled = async () =>
      (await admin.get<Page<PortForward>>(`/api/v1/port-forwards?tunnelServerId=${serverId}&limit=500`)).body.items
        .filter((f) => f.enabled)
        .map((f) => f.id)
        .sort()
    await expect
      .poll(async () => {
        const a = (await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body
        return a.appliedRevision === a.desiredRevision
      })
      .toBe(true)
    const revisions = server.socket.revisions
    expect(revisions.length).toBeGreaterThan(0)
    // Latest wins: a state may be skipped, never sent after a newer one.
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]!).toBeGreaterThanOrEqual(revisions[i - 1]!)
    const states = server.socket.all('desired_state')
    const last = states.at(-1)!.state
    const agentRow = (await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body
    expect(last.revision).toBe(agentRow.desiredRevision)
    expect(last.mode === 'server' && last.forwards.map((f) => f.id).sort()).toEqual(await dbEnabled())
    server.socket.autoAck = false
  })

  test('an ack of an older revision neither lowers the applied revision nor goes unanswered', async () => {
    const { server, serverId, clientId } = await tunnel('ack')
    const f = await admin.post<PortForward>('/api/v1/port-forwards', {
      tunnelServerId: serverId,
      tunnelClientId: clientId,
      protocol: 'udp',
      publicPort: 21000,
      destinationIp: '10.99.0.2',
      destinationPort: 21000,
    })
    expect(f.status).toBe(201)
    const newer = (await server.socket.next('desired_state')).state
    server.socket.send({ type: 'applied', revision: newer.revision, epoch: newer.epoch, ok: true, durationMs: 1 })
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body.appliedRevision)
      .toBe(newer.revision)
    // A late ack of an older revision arrives after the newer one: the applied revision stays,
    // and the agent, behind by its own word, is sent the current state again.
    server.socket.send({ type: 'applied', revision: newer.revision - 1, epoch: newer.epoch, ok: true, durationMs: 1 })
    expect((await server.socket.next('desired_state')).state.revision).toBe(newer.revision)
    expect((await admin.get<Agent>(`/api/v1/agents/${server.agentId}`)).body.appliedRevision).toBe(newer.revision)

    // The same when it acknowledges an older state after a newer one was pushed.
    await admin.post(`/api/v1/port-forwards/${f.body.id}/disable`)
    const latest = (await server.socket.next('desired_state')).state
    server.socket.send({ type: 'applied', revision: newer.revision, epoch: newer.epoch, ok: true, durationMs: 1 })
    const again = (await server.socket.next('desired_state')).state
    expect(again.revision).toBe(latest.revision)
    // Acknowledging the current revision ends it: no further push.
    server.socket.send({ type: 'applied', revision: latest.revision, epoch: latest.epoch, ok: true, durationMs: 1 })
    await expect(server.socket.next('desired_state', 500)).rejects.toThrow(/no desired_state/)
  })

  test('a database restored from a backup does not wedge an agent that applied newer revisions', async () => {
    const { agentId, credential, socket, first, facts: f } = await pool.enrol('server', 'vps-restored')
    socket.close()
    await socket.closed
    // The agent applied revision 90 of this epoch; the restored database only knows revision 1.
    const back = await pool.connect()
    back.hello(agentId, credential, 90, f, { appliedEpoch: first.state.epoch })
    await back.next('welcome')
    const pushed = (await back.next('desired_state')).state
    expect(pushed.epoch).not.toBe(first.state.epoch)
    expect(pushed.epoch).not.toBe('')
    const held = await admin.get<DesiredState>(`/api/v1/agents/${agentId}/desired-state`)
    expect(held.body.epoch).toBe(pushed.epoch)
  })

  test('a command_result nested 10,000 deep ends the command instead of hanging it', async () => {
    const { agentId, socket } = await pool.enrol('server', 'vps-deep-result')
    const started = Date.now()
    const pending = admin.post<CommandLogEntry>(`/api/v1/agents/${agentId}/commands`, {
      command: 'ping',
      wait: true,
      timeoutSeconds: 3,
    })
    const cmd = await socket.next('command')
    socket.send(`{"type":"command_result","id":"${cmd.id}","ok":true,"result":${nestedText(10_000)}}`)
    const done = await pending
    expect(done.status).toBe(201)
    expect(done.body.status).not.toBe('pending')
    expect(Date.now() - started).toBeLessThan(6000)
    expect((await socket.closed).code).toBe(CloseCode.badFrame)
  })

  test('command params deeper than an agent reads are refused before anything is sent', async () => {
    const { agentId, socket } = await pool.enrol('server', 'vps-deep-params')
    const r = await admin.request<{ error: { fields: Record<string, string> } }>(
      'POST',
      `/api/v1/agents/${agentId}/commands`,
      `{"command":"ping","params":${nestedText(9)}}`,
    )
    expect(r.status).toBe(400)
    expect(r.body.error.fields.params).toMatch(/more than 8 levels/)
    await expect(socket.next('command', 300)).rejects.toThrow(/no command/)
    const history = await admin.get<Page<CommandLogEntry>>(`/api/v1/agents/${agentId}/commands`)
    expect(history.body.total).toBe(0)
  })

  test('a hello with deep capabilities is closed and leaves no connected agent behind', async () => {
    const { agentId, credential, socket, facts: f } = await pool.enrol('server', 'vps-deep-hello')
    socket.close()
    await socket.closed
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body.status)
      .toBe('disconnected')
    const deep = await pool.connect()
    const hello = JSON.stringify({
      type: 'hello',
      protocolVersion: 2,
      agentId,
      credential,
      appliedRevision: 0,
      facts: f,
    })
    deep.send(hello.replace('"capabilities":{', `"capabilities":{"x":${nestedText(5000)},`))
    const closed = await deep.closed
    expect(closed.code).toBe(CloseCode.badFrame)
    expect((await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body.status).toBe('disconnected')
    expect(t.server.ctx.hub.isConnected(agentId)).toBe(false)

    // Capabilities that are not flat are refused the same way, before anything is stored.
    const nestedCaps = await pool.connect()
    nestedCaps.hello(agentId, credential, 0, { ...f, capabilities: { x: { y: 1 } } as never })
    expect((await nestedCaps.closed).code).toBe(CloseCode.badFrame)
    expect((await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body.capabilities).toEqual({ driver: 'test' })
  })

  test('a frame over the size limit closes the socket', async () => {
    const a = await pool.connect()
    a.send(`{"type":"heartbeat","pad":"${'x'.repeat(FRAME_LIMITS.maxBytes + 10)}"}`)
    expect((await a.closed).code).toBe(1009)
  })

  test('an agent cannot claim the WireGuard key of another peer', async () => {
    const { server, client, serverId } = await tunnel('keys')
    const other = await pool.enrol('client', 'lab-keys-2', serverId)
    await server.socket.next('desired_state')
    // The client says hello with the server's own key, then with the other client's key.
    for (const stolen of [server.facts.publicKey, other.facts.publicKey]) {
      client.socket.close()
      await client.socket.closed
      const again = await pool.connect()
      again.hello(client.agentId, client.credential, client.first.state.revision, {
        ...client.facts,
        publicKey: stolen,
      })
      await again.next('welcome')
      client.socket = again
      await expect
        .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${client.agentId}`)).body.keyConflict)
        .toMatch(/already used by/)
      const state = (await admin.get<DesiredState>(`/api/v1/agents/${server.agentId}/desired-state`)).body
      const keys = state.mode === 'server' ? state.wireguard.peers.map((p) => p.publicKey) : []
      expect(new Set(keys).size).toBe(keys.length)
      expect(keys).toContain(client.facts.publicKey) // the old key is kept
      expect(keys).not.toContain(server.facts.publicKey)
    }
    // Its own key again clears the conflict.
    client.socket.close()
    await client.socket.closed
    const honest = await pool.connect()
    honest.hello(client.agentId, client.credential, client.first.state.revision, client.facts)
    await honest.next('welcome')
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${client.agentId}`)).body.keyConflict)
      .toBeNull()
  })

  test('an unauthenticated client cannot tell which agent ids exist', async () => {
    const { agentId } = await pool.enrol('server', 'vps-ids')
    const known = await pool.connect()
    known.hello(agentId, 'wwa_wrong')
    const unknown = await pool.connect()
    unknown.hello('6f1c1d39-2f9b-4b8e-9a86-3d5b7c0f1e2a', 'wwa_wrong')
    const [a, b] = [await known.next('error'), await unknown.next('error')]
    expect(a).toEqual(b)
    // Agents already deployed stop retrying on this code.
    expect(a.code).toBe('hello.bad_credential')
  })

  test('credential guesses on /ws/agent are throttled per address, and other addresses are not', async () => {
    const { agentId, credential, facts: f } = await pool.enrol('server', 'vps-guessed')
    const guesser = '127.0.0.9'
    for (let i = 0; i < 10; i++) {
      const g = await WsAgent.connect(t.url, guesser)
      pool.sockets.push(g)
      g.hello(agentId, `wwa_guess${i}`)
      expect((await g.next('error')).code).toBe('hello.bad_credential')
      await g.closed
    }
    // Guess 11 is not even checked: even the right credential waits from this address.
    const blocked = await WsAgent.connect(t.url, guesser)
    pool.sockets.push(blocked)
    blocked.hello(agentId, credential, 0, f)
    const err = await blocked.next('error')
    expect(err.code).toBe('protocol.throttled')
    expect(err.message).toMatch(/Try again in \d+ seconds/)
    expect((await blocked.closed).code).toBe(CloseCode.throttled)
    // Registration guesses from there wait too.
    const reg = await WsAgent.connect(t.url, guesser)
    pool.sockets.push(reg)
    reg.register('wwr_guessguessguessguessguessguessguessguess', 'server')
    expect((await reg.next('error')).code).toBe('protocol.throttled')
    // The agent itself, from its own address, is not held back.
    const honest = await pool.connect()
    honest.hello(agentId, credential, 0, f)
    await honest.next('welcome')
  })

  test('admins demoting each other at the same moment never leave no admin', async () => {
    type U = { id: string; email: string; role: string }
    for (let round = 0; round < 4; round++) {
      // A ring of admins (only they are active admins), each demoting the next, all at once.
      const ring: { user: U; client: Client }[] = []
      const first = (await admin.get<U>('/api/v1/auth/me')).body
      ring.push({ user: first, client: admin })
      for (let i = 1; i < 8; i++) {
        const email = `ring${round}-${i}@example.com`
        const password = `ring password ${round} ${i} staple`
        const created = await admin.post<U>('/api/v1/users', { email, name: `Ring ${i}`, password, role: 'admin' })
        expect(created.status).toBe(201)
        const c = await signIn(t, email, password)
        const tok = await c.post<{ token: string }>('/api/v1/api-tokens', { name: 'ring' })
        ring.push({ user: created.body, client: withToken(t, tok.body.token) })
      }
      const results = await Promise.all(
        ring.map((r, i) => r.client.patch(`/api/v1/users/${ring[(i + 1) % ring.length]!.user.id}`, { role: 'user' })),
      )
      // Refused as the last admin (409) or as no longer an admin (403); never all of them granted.
      expect(results.map((r) => r.status).filter((s) => ![200, 403, 409].includes(s))).toEqual([])
      // Read from the database: if nobody is admin any more, no API client could list the users.
      const users = await t.db.selectFrom('users').select(['id', 'email', 'role']).execute()
      const admins = users.filter((u) => u.role === 'admin')
      expect(admins.length).toBeGreaterThanOrEqual(1)
      // The next round starts from one survivor alone: every other account goes, so that the
      // ring is again the only admins.
      const survivor = ring.find((r) => admins.some((a) => a.id === r.user.id))!
      admin = survivor.client
      for (const u of users.filter((u) => u.id !== survivor.user.id))
        expect((await admin.delete(`/api/v1/users/${u.id}`)).status).toBe(204)
    }
  })

  test('hello from a protocol version 1 agent still works and is never sent a newer command', async () => {
    const f = facts()
    const reg = await pool.connect()
    reg.send({
      type: 'register',
      protocolVersion: 1,
      token: await pool.token('server', 'vps-v1'),
      kind: 'server',
      facts: f,
    })
    const { agentId, credential } = await reg.next('registered')
    const v1 = await pool.connect()
    v1.send({ type: 'hello', protocolVersion: 1, agentId, credential, appliedRevision: 0, facts: f })
    await v1.next('welcome')
    const s = await v1.next('desired_state')
    expect(s.state.revision).toBe(1)
    v1.send({ type: 'applied', revision: 1, ok: true, durationMs: 1 })
    await expect.poll(async () => (await admin.get<Agent>(`/api/v1/agents/${agentId}`)).body.appliedRevision).toBe(1)
  })

  test('templates renamed to one name at the same moment: one wins, the others get a conflict', async () => {
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        admin.post<{ id: string }>('/api/v1/service-templates', {
          name: `race ${i}`,
          ports: [{ protocol: 'tcp', port: 7000 + i }],
        }),
      ),
    )
    expect(made.map((r) => r.status)).toEqual(Array(6).fill(201))
    // Check-then-write in each request; only the unique index on lower(name) can keep them apart.
    const renamed = await Promise.all(
      made.map((r, i) =>
        admin.patch(`/api/v1/service-templates/${r.body.id}`, { name: i % 2 ? 'Race Winner' : 'race winner' }),
      ),
    )
    expect(renamed.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409])
    const rows = await t.db.selectFrom('serviceTemplates').select('name').execute()
    expect(rows.filter((r) => r.name.toLowerCase() === 'race winner')).toHaveLength(1)
  })
})
