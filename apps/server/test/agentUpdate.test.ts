/**
 * Agent self-update from the server's side, with protocol-level agents and a fake release in a
 * temporary WIREWARP_RELEASES_DIR: outdated computed per build, the update command's URL, size
 * and SHA-256 for the agent's architecture, old agents refused, held agents skipped by "update
 * all outdated", each agent updated once by batches running at the same time (on one server and
 * on a second server of the same database), and the outcome an agent reports on hello.
 */

import { rmSync } from 'node:fs'
import type { Agent, AgentFacts, AgentUpdateBatch, CommandLogEntry, HostFacts } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { RunningServer } from '../src/server.ts'
import { FAKE_RELEASE_FILES as FILES, NEW, sha256, writeFakeRelease } from './fakeRelease.ts'
import { Client, signIn, skipDb, startServerOnSameDatabase, startTestServer, type TestServer } from './harness.ts'
import { AgentPool } from './hubAgents.ts'
import { facts, type WsAgent } from './wsAgent.ts'

const OLD = '0.1.0-test'
const COMMANDS = ['ping', 'diagnostics', 'restart', 'uninstall', 'update']

const host = (install: HostFacts['install']): HostFacts => ({
  wireguard: 'kernel',
  nftables: 'v1.0.6',
  distribution: 'Debian GNU/Linux 12 (bookworm)',
  init: 'systemd',
  install,
  node: '24.22.3',
})

interface Updater {
  agentId: string
  credential: string
  facts: AgentFacts
  socket: WsAgent
}

describe.skipIf(await skipDb())('agent self-update', () => {
  let t: TestServer
  let admin: Client
  let root: string
  const pool = new AgentPool(
    () => t,
    () => admin,
  )
  let n = 0

  beforeAll(async () => {
    root = writeFakeRelease()
    t = await startTestServer({ releasesDir: root })
    admin = await signIn(t)
  })
  afterAll(async () => {
    pool.closeAll()
    await t?.close()
    rmSync(root, { recursive: true, force: true })
  })

  const getAgent = async (id: string) => (await admin.get<Agent>(`/api/v1/agents/${id}`)).body

  /** Registers an agent and connects it again as one that runs `update` (or as an old one, with `commands`). */
  async function updater(f: AgentFacts, commands: string[] | null = COMMANDS): Promise<Updater> {
    const e = await pool.enrol('server', `vps-${++n}`, undefined, f)
    e.socket.close()
    await e.socket.closed
    const socket = await pool.connect()
    socket.hello(e.agentId, e.credential, 0, f, commands ? { commands } : {})
    await socket.next('welcome')
    // The welcome comes before the hello is stored.
    await expect
      .poll(async () => (await getAgent(e.agentId)).commands, { timeout: 10_000 })
      .toEqual(commands ?? ['ping', 'diagnostics', 'restart'])
    return { agentId: e.agentId, credential: e.credential, facts: f, socket }
  }

  /** Answers the next update command as the real agent does, then comes back on the new version (or the old one, rolled back). */
  async function answerUpdate(u: Updater, outcome: 'confirmed' | 'rolled_back' = 'confirmed', ms = 10_000) {
    const cmd = await u.socket.next('command', ms)
    expect(cmd.command).toBe('update')
    const to = String(cmd.params.version)
    u.socket.send({ type: 'command_result', id: cmd.id, ok: true, result: { from: OLD, to, state: 'restarting' } })
    u.socket.close()
    await u.socket.closed
    const socket = await pool.connect()
    const version = outcome === 'confirmed' ? to : OLD
    u.facts = { ...u.facts, version }
    const reason = outcome === 'confirmed' ? null : 'the new version did not connect within 120 s'
    socket.hello(u.agentId, u.credential, 0, u.facts, {
      commands: COMMANDS,
      update: { state: outcome, from: OLD, to, reason, at: new Date().toISOString() },
    })
    await socket.next('welcome')
    u.socket = socket
    return cmd
  }

  test('outdated and the newest version follow the build the agent runs', async () => {
    const exe = await updater(facts({ version: OLD, arch: 'arm64', host: host('executable') }))
    const bundle = await updater(facts({ version: OLD, arch: 'x64', host: host('bundle') }))
    const current = await updater(facts({ version: NEW, arch: 'x64', host: host('executable') }))
    const riscv = await updater(facts({ version: OLD, arch: 'riscv64', host: host('executable') }))
    expect(await getAgent(exe.agentId)).toMatchObject({
      latestVersion: NEW,
      outdated: true,
      holdVersion: false,
      update: null,
    })
    expect(await getAgent(bundle.agentId)).toMatchObject({ latestVersion: NEW, outdated: true })
    expect(await getAgent(current.agentId)).toMatchObject({ latestVersion: NEW, outdated: false })
    // No executable is built for it: nothing to update to.
    expect(await getAgent(riscv.agentId)).toMatchObject({ latestVersion: null, outdated: false })
    const list = (await admin.get<{ items: Agent[] }>('/api/v1/agents')).body
    expect(list.items.find((a) => a.id === exe.agentId)).toMatchObject({ outdated: true, latestVersion: NEW })
    const r = await admin.post<{ error: { code: string } }>(`/api/v1/agents/${current.agentId}/update`, {})
    expect(r.status).toBe(409)
    expect(r.body.error.code).toBe('agent.up_to_date')
    for (const u of [exe, bundle, current, riscv]) u.socket.close()
  })

  test('update sends the file for the agent’s architecture; the confirmed update shows in the API and the command log', async () => {
    const u = await updater(facts({ version: OLD, arch: 'arm64', host: host('executable') }))
    const r = await admin.post<CommandLogEntry>(`/api/v1/agents/${u.agentId}/update`, {})
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    expect(r.body.command).toBe('update')
    expect((await getAgent(u.agentId)).update).toMatchObject({ state: 'updating', from: OLD, to: NEW })
    // A second click while it runs is refused.
    const again = await admin.post<{ error: { code: string } }>(`/api/v1/agents/${u.agentId}/update`, {})
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('agent.update_in_progress')

    const arm = FILES[1]
    const cmd = await answerUpdate(u)
    expect(cmd.params).toEqual({
      version: NEW,
      url: `${t.url}/releases/${NEW}/${arm.name}`,
      sha256: sha256(arm.content),
      size: Buffer.byteLength(arm.content),
    })
    // The URL serves exactly those bytes.
    expect(await (await fetch(String(cmd.params.url))).text()).toBe(arm.content)

    await expect
      .poll(async () => getAgent(u.agentId), { timeout: 10_000 })
      .toMatchObject({ version: NEW, outdated: false, update: { state: 'confirmed', from: OLD, to: NEW } })
    const log = (await admin.get<{ items: CommandLogEntry[] }>(`/api/v1/agents/${u.agentId}/commands`)).body.items
    expect(log.map((c) => [c.command, c.status])).toEqual([
      ['update', 'success'], // the report
      ['update', 'success'], // "installed, restarting"
    ])
    u.socket.close()
  })

  test('the bundle agent gets the .mjs file; a refused download is recorded as failed', async () => {
    const u = await updater(facts({ version: OLD, arch: 'x64', host: host('bundle') }))
    expect((await admin.post(`/api/v1/agents/${u.agentId}/update`, { deadlineSeconds: 30 })).status).toBe(201)
    const cmd = await u.socket.next('command')
    expect(cmd.params).toMatchObject({ url: `${t.url}/releases/${NEW}/wirewarp-agent.mjs`, deadlineSeconds: 30 })
    u.socket.send({
      type: 'command_result',
      id: cmd.id,
      ok: false,
      error: 'the download does not match the release manifest (expected …, got …); nothing was changed',
    })
    await expect
      .poll(async () => (await getAgent(u.agentId)).update, { timeout: 10_000 })
      .toMatchObject({ state: 'failed', reason: expect.stringMatching(/does not match the release manifest/) })
    u.socket.close()
  })

  test('an agent that cannot update itself is refused with the manual path; bad input and unknown agents too', async () => {
    const old = await updater(facts({ version: '0.1.0', host: undefined }), null)
    const r = await admin.post<{ error: { code: string; message: string } }>(`/api/v1/agents/${old.agentId}/update`, {})
    expect(r.status).toBe(409)
    expect(r.body.error).toEqual({
      code: 'agent.update_unsupported',
      message: 'This agent version cannot update itself; re-run the install command on the host (it updates in place).',
    })
    expect(old.socket.all('command')).toEqual([])
    // Outdated all the same: the dashboard says so, and the install command is the way.
    expect(await getAgent(old.agentId)).toMatchObject({ outdated: true, latestVersion: NEW })

    const missing = '00000000-0000-4000-8000-000000000000'
    expect((await admin.post(`/api/v1/agents/${missing}/update`, {})).status).toBe(404)
    expect((await admin.patch(`/api/v1/agents/${missing}`, { holdVersion: true })).status).toBe(404)
    for (const body of [{ version: '../../etc/passwd' }, { deadlineSeconds: 1e9 }, { url: 'http://evil/' }])
      expect((await admin.post(`/api/v1/agents/${old.agentId}/update`, body)).status, JSON.stringify(body)).toBe(400)
    expect((await admin.patch(`/api/v1/agents/${old.agentId}`, { holdVersion: 'yes' })).status).toBe(400)
    expect((await admin.post('/api/v1/agents/update-outdated', { staggerSeconds: -1 })).status).toBe(400)
    const unknownVersion = await admin.post<{ error: { code: string } }>(`/api/v1/agents/${old.agentId}/update`, {
      version: '98.0.0',
    })
    expect(unknownVersion.status).toBe(409)
    old.socket.close()
  })

  test('a rolled-back report on hello shows in the API, once in the command log', async () => {
    const u = await updater(facts({ version: OLD, arch: 'x64', host: host('executable') }))
    expect((await admin.post(`/api/v1/agents/${u.agentId}/update`, {})).status).toBe(201)
    await answerUpdate(u, 'rolled_back')
    await expect
      .poll(async () => getAgent(u.agentId), { timeout: 10_000 })
      .toMatchObject({
        version: OLD,
        outdated: true,
        update: { state: 'rolled_back', from: OLD, to: NEW, reason: 'the new version did not connect within 120 s' },
      })
    // The agent says it again on its next hello, until a welcome followed: it is recorded once.
    const report = {
      state: 'rolled_back',
      from: OLD,
      to: NEW,
      reason: 'the new version did not connect within 120 s',
      at: new Date().toISOString(),
    }
    u.socket.close()
    await u.socket.closed
    const again = await pool.connect()
    again.hello(u.agentId, u.credential, 0, u.facts, { commands: COMMANDS, update: report })
    await again.next('welcome')
    const log = (await admin.get<{ items: CommandLogEntry[] }>(`/api/v1/agents/${u.agentId}/commands`)).body.items
    expect(log.map((c) => [c.command, c.status, c.error])).toEqual([
      ['update', 'failed', `rolled back to ${OLD}: the new version did not connect within 120 s`],
      ['update', 'success', null],
    ])
    again.close()
  })

  describe('update all outdated', () => {
    // Every agent left over from the tests above is disconnected: batches only take connected ones.
    test('skips held agents, updates the rest one at a time, and stops at a rollback', async () => {
      const held = await updater(facts({ version: OLD, host: host('executable') }))
      const a = await updater(facts({ version: OLD, host: host('executable') }))
      const b = await updater(facts({ version: OLD, host: host('bundle') }))
      const c = await updater(facts({ version: OLD, host: host('executable') }))
      const patched = await admin.patch<Agent>(`/api/v1/agents/${held.agentId}`, { holdVersion: true })
      expect(patched.status).toBe(200)
      expect(patched.body).toMatchObject({ holdVersion: true, outdated: true })

      const r = await admin.post<AgentUpdateBatch>('/api/v1/agents/update-outdated', { staggerSeconds: 0 })
      expect(r.status).toBe(202)
      expect(r.body.queued.map((q) => q.agentId).sort()).toEqual([a.agentId, b.agentId, c.agentId].sort())
      expect(r.body.queued.every((q) => q.from === OLD && q.to === NEW)).toBe(true)
      const order = r.body.queued.map((q) => [a, b, c].find((u) => u.agentId === q.agentId)!)

      await answerUpdate(order[0]!)
      // The second rolls back: the third is never sent an update.
      await answerUpdate(order[1]!, 'rolled_back')
      await new Promise((resolve) => setTimeout(resolve, 1000))
      expect(order[2]!.socket.all('command')).toEqual([])
      expect(held.socket.all('command')).toEqual([])
      expect((await getAgent(order[2]!.agentId)).update).toBeNull()
      expect((await getAgent(held.agentId)).holdVersion).toBe(true)
      for (const u of [held, ...order]) u.socket.close()
    })

    test('batches at the same time, on this server and another of the same database, send each agent its update once', async () => {
      const agents = await Promise.all(
        Array.from({ length: 3 }, () => updater(facts({ version: OLD, host: host('executable') }))),
      )
      const other: RunningServer = await startServerOnSameDatabase(t)
      try {
        const elsewhere = new Client(() => other.url, admin.auth)
        const seen = new Map<string, number>()
        const counting = agents.map(async (u) => {
          // Answer every update it is sent for a while, counting them.
          const until = Date.now() + 4000
          while (Date.now() < until) {
            try {
              await answerUpdate(u, 'confirmed', Math.max(1, until - Date.now()))
              seen.set(u.agentId, (seen.get(u.agentId) ?? 0) + 1)
            } catch {
              // No further update within the time: the expected end.
              break
            }
          }
        })
        const replies = await Promise.all([
          admin.post<AgentUpdateBatch>('/api/v1/agents/update-outdated', { staggerSeconds: 0 }),
          admin.post<AgentUpdateBatch>('/api/v1/agents/update-outdated', { staggerSeconds: 0 }),
          elsewhere.post<AgentUpdateBatch>('/api/v1/agents/update-outdated', { staggerSeconds: 0 }),
        ])
        expect(replies.map((r) => r.status)).toEqual([202, 202, 202])
        await Promise.all(counting)
        expect(agents.map((u) => seen.get(u.agentId))).toEqual([1, 1, 1])
        for (const u of agents)
          expect(await getAgent(u.agentId)).toMatchObject({ version: NEW, update: { state: 'confirmed' } })
      } finally {
        await other.close()
        for (const u of agents) u.socket.close()
      }
    })
  })
})
