/**
 * Real agent processes while a tunnel server's forwards are toggled by many parallel requests:
 * the server agent never applies an older state after a newer one, and once it is caught up
 * the state it applied last is the database's. Runs on SQLite (project agents) and PostgreSQL
 * (project agents-postgres), where the requests really interleave.
 */
import type { Agent, PortForward, RegistrationTokenCreated } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type Client,
  dbKind,
  signIn,
  skipDb,
  startTestServer,
  type TestServer,
} from '../../apps/server/test/harness.ts'
import { AgentHome, skipAgent } from './agentProcess.ts'

const skip = (await skipDb()) || skipAgent()
type Page<T> = { items: T[]; total: number }

describe.skipIf(skip)(`parallel toggles against real agents (${dbKind})`, () => {
  let t: TestServer
  let admin: Client
  const homes: AgentHome[] = []

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
  })
  afterAll(async () => {
    for (const h of homes) h.cleanup()
    await t?.close()
  })

  async function enrol(kind: 'server' | 'client', name: string, tunnelServerId?: string) {
    const r = await admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', { kind, name, tunnelServerId })
    const h = new AgentHome()
    homes.push(h)
    expect((await h.register(t.url, r.body.token, kind)).code).toBe(0)
    const run = h.run()
    await run.waitFor(/applied revision \d+ in/)
    const list = await admin.get<Page<Agent>>('/api/v1/agents?limit=500')
    return { home: h, row: list.body.items.find((a) => a.name === name)! }
  }

  test('48 toggles of 8 forwards at once: revisions only grow and the last applied state equals the database', async () => {
    const server = await enrol('server', 'vps-t')
    const client = await enrol('client', 'lab-t', server.row.tunnelServerId!)
    const forwards: PortForward[] = []
    for (let i = 0; i < 8; i++) {
      const r = await admin.post<PortForward>('/api/v1/port-forwards', {
        tunnelServerId: server.row.tunnelServerId,
        tunnelClientId: client.row.tunnelClientId,
        protocol: i % 2 ? 'udp' : 'tcp',
        publicPort: 30000 + i,
        destinationIp: '10.99.0.2',
        destinationPort: 30000 + i,
      })
      expect(r.status).toBe(201)
      forwards.push(r.body)
    }
    const replies = await Promise.all(
      Array.from({ length: 48 }, (_, i) =>
        admin.post(`/api/v1/port-forwards/${forwards[i % 8]!.id}/${(i * 5) % 3 === 0 ? 'disable' : 'enable'}`),
      ),
    )
    expect(replies.map((r) => r.status)).toEqual(Array(48).fill(200))

    await expect
      .poll(
        async () => {
          const a = (await admin.get<Agent>(`/api/v1/agents/${server.row.id}`)).body
          return a.appliedRevision === a.desiredRevision && server.home.applied().at(-1)?.revision === a.desiredRevision
        },
        { timeout: 15_000 },
      )
      .toBe(true)
    const applied = server.home.applied().map((x) => x.revision)
    for (let i = 1; i < applied.length; i++) expect(applied[i]!).toBeGreaterThanOrEqual(applied[i - 1]!)
    const last = server.home.applied().at(-1)!.state
    const enabled = (
      await admin.get<Page<PortForward>>(`/api/v1/port-forwards?tunnelServerId=${server.row.tunnelServerId}`)
    ).body.items
      .filter((f) => f.enabled)
      .map((f) => f.id)
      .sort()
    expect(last.mode === 'server' && last.forwards.map((f) => f.id).sort()).toEqual(enabled)
  })
})
