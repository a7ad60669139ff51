/**
 * Real server, real agent processes, real WebSockets: registration and refused tokens,
 * state pushes with acks, commands, server restarts, offline resilience and revocation. The
 * recording driver stands in for the Linux data plane (next issue) and shows what was applied.
 */
import type { Agent, CommandLogEntry, PortForward, RegistrationTokenCreated } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Client, signIn, skipDb, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { AgentHome, skipAgent } from './agentProcess.ts'

const skip = (await skipDb()) || skipAgent()
type Page<T> = { items: T[]; total: number }

describe.skipIf(skip)('agent processes against a real server', () => {
  let t: TestServer
  let admin: Client
  const homes: AgentHome[] = []

  function home(): AgentHome {
    const h = new AgentHome()
    homes.push(h)
    return h
  }

  async function token(kind: 'server' | 'client', name: string, tunnelServerId?: string): Promise<string> {
    return (await admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', { kind, name, tunnelServerId }))
      .body.token
  }

  async function agentNamed(name: string): Promise<Agent> {
    const list = await admin.get<Page<Agent>>('/api/v1/agents?limit=500')
    const found = list.body.items.filter((a) => a.name === name)
    expect(found, `agents named ${name}`).toHaveLength(1)
    return found[0]!
  }

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
  })
  afterAll(async () => {
    for (const h of homes) h.cleanup()
    await t?.close()
  })

  test('register, connect, apply the first state and report it', async () => {
    const h = home()
    const reg = await h.register(t.url, await token('server', 'vps-1'), 'server')
    expect(reg.stderr).toBe('')
    expect(reg.code).toBe(0)
    const a = h.run()
    await a.waitFor(/connected to .* as agent/)
    await a.waitFor(/applied revision 1 in \d+ ms/)
    const row = await agentNamed('vps-1')
    expect(row).toMatchObject({ status: 'connected', kind: 'server', version: expect.any(String) })
    await expect.poll(async () => (await agentNamed('vps-1')).appliedRevision).toBe(1)
    expect(h.applied().map((x) => x.revision)).toEqual([1])
    expect(h.applied()[0]!.state).toMatchObject({ mode: 'server', wireguard: { listenPort: 51820 } })
    a.kill()
    expect(await a.exited).toBe(0)
  })

  test('refused tokens: used, expired, wrong kind and forged, each with a clear message', async () => {
    const once = await token('client', 'once')
    expect((await home().register(t.url, once)).code).toBe(0)
    const used = await home().register(t.url, once)
    expect(used.code).toBe(1)
    expect(used.stderr).toMatch(/register: This registration token was already used/)

    const late = await admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', {
      kind: 'client',
      name: 'late',
    })
    await t.db
      .updateTable('registrationTokens')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', late.body.id)
      .execute()
    const expired = await home().register(t.url, late.body.token)
    expect(expired.code).toBe(1)
    expect(expired.stderr).toMatch(/register: This registration token expired on/)

    const wrong = await home().register(t.url, await token('client', 'wrong'), 'server')
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/registers a client agent, but this agent was installed as a server/)

    const forged = await home().register(t.url, 'wwr_thisTokenWasNeverIssuedByTheServerAtAll0')
    expect(forged.code).toBe(1)
    expect(forged.stderr).toMatch(/register: The registration token is not valid/)

    const unreachable = await home().register('http://127.0.0.1:9', await token('client', 'nowhere'))
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:9/)
  })

  test('a state change is pushed to both agents and acknowledged; commands round-trip and time out', async () => {
    const sh = home()
    await sh.register(t.url, await token('server', 'vps-2'), 'server')
    const server = sh.run()
    await server.waitFor(/connected to/)
    const serverRow = await agentNamed('vps-2')

    const ch = home()
    await ch.register(t.url, await token('client', 'homelab-2', serverRow.tunnelServerId!), 'client')
    const client = ch.run()
    await client.waitFor(/applied revision \d+ in/)
    const clientRow = await agentNamed('homelab-2')
    // The server took its new peer.
    await expect
      .poll(() =>
        sh
          .applied()
          .at(-1)
          ?.state.wireguard?.peers.map((p) => p.name),
      )
      .toEqual(['homelab-2'])

    const f = await admin.post<PortForward>('/api/v1/port-forwards', {
      tunnelServerId: serverRow.tunnelServerId,
      tunnelClientId: clientRow.tunnelClientId,
      protocol: 'udp',
      publicPort: 27015,
      publicPortEnd: 27020,
      destinationIp: '10.99.0.2',
      destinationPort: 27015,
    })
    expect(f.status).toBe(201)
    await expect
      .poll(() => {
        const s = sh.applied().at(-1)?.state
        return s?.mode === 'server' ? s.forwards.map((x) => `${x.protocol} ${x.publicPort}-${x.publicPortEnd}`) : []
      })
      .toEqual(['udp 27015-27020'])
    await expect
      .poll(() => ch.applied().at(-1)?.state.mode === 'client' && ch.applied().at(-1)?.state)
      .toMatchObject({ inboundForwards: [{ publicPort: 27015 }] })
    await expect
      .poll(async () => {
        const a = await agentNamed('vps-2')
        return a.appliedRevision === a.desiredRevision && a.appliedRevision === sh.applied().at(-1)?.revision
      })
      .toBe(true)

    const ping = await admin.post<CommandLogEntry>(`/api/v1/agents/${serverRow.id}/commands`, {
      command: 'ping',
      wait: true,
    })
    expect(ping.body).toMatchObject({ status: 'success', result: { pong: true } })
    const diag = await admin.post<CommandLogEntry>(`/api/v1/agents/${serverRow.id}/commands`, {
      command: 'diagnostics',
      wait: true,
    })
    expect(diag.body).toMatchObject({ status: 'success', result: { driver: 'recording' } })

    // A frozen agent cannot answer: the command times out and the log says so.
    server.kill('SIGSTOP')
    const frozen = await admin.post<CommandLogEntry>(`/api/v1/agents/${serverRow.id}/commands`, {
      command: 'ping',
      timeoutSeconds: 1,
      wait: true,
    })
    server.kill('SIGCONT')
    expect(frozen.body).toMatchObject({ status: 'timeout' })
    const log = await admin.get<Page<CommandLogEntry>>(`/api/v1/agents/${serverRow.id}/commands`)
    expect(log.body.items.map((c) => [c.command, c.status])).toEqual([
      ['ping', 'timeout'],
      ['diagnostics', 'success'],
      ['ping', 'success'],
    ])
    server.kill()
    client.kill()
    await Promise.all([server.exited, client.exited])
  })

  test('after a server restart the agent reconnects as itself, not as a new agent', async () => {
    const h = home()
    await h.register(t.url, await token('server', 'vps-3'), 'server')
    const a = h.run()
    await a.waitFor(/connected to/)
    const before = (await admin.get<Page<Agent>>('/api/v1/agents?limit=500')).body.total
    await t.restart()
    admin = await signIn(t)
    await a.waitFor(/connected to/, 2)
    await expect.poll(async () => (await agentNamed('vps-3')).status).toBe('connected')
    expect((await admin.get<Page<Agent>>('/api/v1/agents?limit=500')).body.total).toBe(before)
    a.kill()
    await a.exited
  })

  test('restarted while the server is down, the agent applies its last state from disk', async () => {
    const h = home()
    await h.register(t.url, await token('server', 'vps-4'), 'server')
    let a = h.run()
    await a.waitFor(/applied revision 1 in/)
    const revision = h.applied().at(-1)!.revision

    await t.stop()
    a.kill()
    await a.exited
    a = h.run()
    await a.waitFor(new RegExp(`applied revision ${revision} \\(saved state, before connecting\\)`))
    expect(h.applied().map((x) => x.revision)).toEqual([revision, revision])
    expect(h.applied().at(-1)!.state).toEqual(h.applied()[0]!.state)

    await t.start()
    admin = await signIn(t)
    await a.waitFor(/connected to/, 1, 20_000)
    a.kill()
    await a.exited
  })

  test('deleting an agent in the dashboard stops it for good', async () => {
    const h = home()
    await h.register(t.url, await token('client', 'doomed'), 'client')
    const a = h.run()
    await a.waitFor(/connected to/)
    const row = await agentNamed('doomed')
    expect((await admin.delete(`/api/v1/agents/${row.id}`)).status).toBe(204)
    expect(await a.exited).toBe(3)
    expect(a.stderr).toMatch(/deleted/)
    // Run again: the credential is refused, still exit 3, no retry loop.
    const again = h.run()
    expect(await again.exited).toBe(3)
    expect(again.stderr).toMatch(/Register it again/)
  })
})
