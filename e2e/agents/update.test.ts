/**
 * Self-update with rollback (docs/design/self-update.md), with the real launcher and the real
 * agent bundle: installed as the install script lays it out for hosts with Node (the bundle
 * `wirewarp-agent.mjs`, a sh wrapper `wirewarp-agent` running node on it, `wirewarp-launcher`),
 * in a temporary directory, with the recording driver. Most releases come from a small local
 * HTTP server, so a case can offer bytes that differ from the SHA-256 it names; the `update`
 * command is then sent through the hub (AgentHub.runCommand, the path every command takes, into
 * the command log). The last case goes through the dashboard's route and a release in
 * WIREWARP_RELEASES_DIR. Outcomes are read back through the API.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Agent, CommandLogEntry, RegistrationTokenCreated, ReleaseManifest } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { renderLauncher } from '../../apps/server/src/install/launcher.ts'
import { type Client, signIn, skipDb, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { AGENT_BIN, agentCli, RunningAgent, skipAgent } from './agentProcess.ts'

const skip = (await skipDb()) || skipAgent()

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe.skipIf(skip)('self-update with the real launcher and agent', () => {
  let t: TestServer
  let admin: Client
  let dir: string
  let files: Server
  let filesUrl: string
  let releasesDir: string
  const served = new Map<string, Buffer>()
  const bundle = skip ? Buffer.alloc(0) : readFileSync(AGENT_BIN)
  const running: RunningAgent[] = []

  /** Release 0.6.0 in WIREWARP_RELEASES_DIR: the bundle with another version, for hosts with Node. */
  const viaDashboard = Buffer.from(bundle.toString('utf8').replace('var VERSION = "0.1.0";', 'var VERSION = "0.6.0";'))

  beforeAll(async () => {
    releasesDir = mkdtempSync(path.join(tmpdir(), 'wirewarp-update-releases-'))
    mkdirSync(path.join(releasesDir, '0.6.0'))
    writeFileSync(path.join(releasesDir, '0.6.0', 'wirewarp-agent.mjs'), viaDashboard)
    const manifest: ReleaseManifest = {
      version: '0.6.0',
      builtAt: '2026-12-01T00:00:00.000Z',
      node: '24.0.0',
      files: [
        {
          name: 'wirewarp-agent.mjs',
          version: '0.6.0',
          arch: 'any',
          platform: 'linux',
          libc: 'any',
          size: viaDashboard.length,
          sha256: sha(viaDashboard),
        },
      ],
    }
    writeFileSync(path.join(releasesDir, '0.6.0', 'manifest.json'), JSON.stringify(manifest))
    t = await startTestServer({ releasesDir })
    admin = await signIn(t)
    dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-update-'))
    files = createServer((req, res) => {
      const body = served.get(req.url ?? '')
      if (!body) return void res.writeHead(404).end()
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body)
    })
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r))
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    for (const a of running) a.kill('SIGKILL')
    await new Promise((r) => files?.close(r))
    rmSync(dir, { recursive: true, force: true })
    rmSync(releasesDir, { recursive: true, force: true })
    await t?.close()
  })

  /** Offers `body` as release `version` and returns the update command's params. */
  function release(version: string, body: Buffer, extra: Record<string, unknown> = {}) {
    const url = `/releases/${version}/wirewarp-agent.mjs`
    served.set(url, body)
    return { version, url: `${filesUrl}${url}`, sha256: sha(body), size: body.length, ...extra }
  }

  /** Installs, registers and starts an agent under the launcher; resolves once it applied its state. */
  async function install(name: string) {
    const root = path.join(dir, name)
    const lib = `${root}/usr/local/lib/wirewarp`
    const config = `${root}/etc/wirewarp/agent.yaml`
    const state = `${root}/var/lib/wirewarp`
    mkdirSync(lib, { recursive: true })
    const mjs = `${lib}/wirewarp-agent.mjs`
    writeFileSync(mjs, bundle)
    writeFileSync(`${lib}/wirewarp-agent`, `#!/bin/sh\nexec "${process.execPath}" "${mjs}" "$@"\n`)
    chmodSync(`${lib}/wirewarp-agent`, 0o755)
    writeFileSync(`${lib}/wirewarp-launcher`, renderLauncher())
    chmodSync(`${lib}/wirewarp-launcher`, 0o755)

    const tok = await admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', { kind: 'server', name })
    const reg = await agentCli([
      'register',
      '--url',
      t.url,
      '--token',
      tok.body.token,
      '--config',
      config,
      '--state-dir',
      state,
      '--driver',
      'recording',
    ])
    expect(reg.code, reg.stderr).toBe(0)
    const child: ChildProcess = spawn(`${lib}/wirewarp-launcher`, ['run', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WIREWARP_PREFIX: root },
    })
    const a = new RunningAgent(child)
    running.push(a)
    await a.waitFor(/applied revision 1 in \d+ ms/)
    const list = await admin.get<{ items: Agent[] }>('/api/v1/agents?limit=500')
    const id = list.body.items.find((x) => x.name === name)!.id
    await expect
      .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${id}`)).body)
      .toMatchObject({ status: 'connected', version: '0.1.0', commands: expect.arrayContaining(['update']) })
    const record = () => JSON.parse(readFileSync(`${state}/update.json`, 'utf8'))
    return { id, a, lib, mjs, state, record }
  }

  async function update(agentId: string, params: Record<string, unknown>): Promise<CommandLogEntry> {
    const { done } = await t.server.ctx.hub.runCommand(agentId, 'update', params, 60_000, null)
    return done
  }

  const agentRow = async (id: string) => (await admin.get<Agent>(`/api/v1/agents/${id}`)).body

  test('a build that exits at once is rolled back, and the agent reconnects on the old version', async () => {
    const h = await install('exits-at-once')
    const done = await update(h.id, release('0.2.0', Buffer.from('#!/bin/sh\nexit 1\n')))
    expect(done).toMatchObject({ status: 'success', result: { from: '0.1.0', to: '0.2.0', state: 'restarting' } })
    await h.a.waitFor(
      /rolled back to the previous version .*: the new version exited with code 1 before it connected/,
      1,
      30_000,
    )
    await h.a.waitFor(/connected to http/, 2, 30_000)
    expect(readFileSync(h.mjs).equals(bundle)).toBe(true)
    await expect
      .poll(() => agentRow(h.id), { timeout: 30_000 })
      .toMatchObject({
        status: 'connected',
        version: '0.1.0',
        update: {
          state: 'rolled_back',
          from: '0.1.0',
          to: '0.2.0',
          reason: 'the new version exited with code 1 before it connected',
        },
      })
    await expect.poll(() => h.record(), { timeout: 10_000 }).toMatchObject({ state: 'rolled_back', reported: true })
    const history = await admin.get<{ items: CommandLogEntry[] }>(`/api/v1/agents/${h.id}/commands`)
    expect(history.body.items.some((c) => c.command === 'update' && c.status === 'failed')).toBe(true)
  })

  test('a build that starts but never connects is rolled back after the deadline', async () => {
    const h = await install('never-connects')
    // It starts (Node runs it) and then does nothing: no connection, no state applied.
    const never = Buffer.from('setInterval(() => {}, 60_000)\n')
    const started = Date.now()
    const done = await update(h.id, release('0.3.0', never, { deadlineSeconds: 10 }))
    expect(done).toMatchObject({ status: 'success', result: { to: '0.3.0', state: 'restarting' } })
    await h.a.waitFor(
      /rolled back to the previous version .*: the new version did not connect and apply its state within 10 seconds/,
      1,
      40_000,
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000)
    expect(readFileSync(h.mjs).equals(bundle)).toBe(true)
    await expect
      .poll(() => agentRow(h.id), { timeout: 30_000 })
      .toMatchObject({
        status: 'connected',
        version: '0.1.0',
        update: {
          state: 'rolled_back',
          to: '0.3.0',
          reason: 'the new version did not connect and apply its state within 10 seconds',
        },
      })
  }, 90_000)

  test('a good build is kept: the agent reports the new version and the update confirmed', async () => {
    const h = await install('good-build')
    const good = Buffer.from(bundle.toString('utf8').replace('var VERSION = "0.1.0";', 'var VERSION = "0.4.0";'))
    expect(good.equals(bundle)).toBe(false)
    const done = await update(h.id, release('0.4.0', good))
    expect(done).toMatchObject({ status: 'success', result: { from: '0.1.0', to: '0.4.0', state: 'restarting' } })
    await h.a.waitFor(/update from 0\.1\.0 to 0\.4\.0 confirmed/, 1, 30_000)
    await expect
      .poll(() => agentRow(h.id), { timeout: 30_000 })
      .toMatchObject({
        status: 'connected',
        version: '0.4.0',
        update: { state: 'confirmed', from: '0.1.0', to: '0.4.0' },
      })
    await expect.poll(() => h.record(), { timeout: 10_000 }).toMatchObject({ state: 'confirmed', reported: true })
    expect(readFileSync(h.mjs).equals(good)).toBe(true)
    expect(readFileSync(`${h.mjs}.previous`).equals(bundle)).toBe(true)
    expect(h.a.stderr).not.toMatch(/rolled back/)
  })

  test('a file whose bytes differ from its SHA-256 is refused, and nothing changes', async () => {
    const h = await install('bad-bytes')
    const params = release('0.5.0', Buffer.from('#!/bin/sh\nexit 1\n'))
    const wrong = 'f'.repeat(64)
    const done = await update(h.id, { ...params, sha256: wrong })
    expect(done.status).toBe('failed')
    expect(done.error).toBe(
      `the download does not match the release manifest (expected SHA-256 ${wrong}, got ${params.sha256}); nothing was changed`,
    )
    expect(readFileSync(h.mjs).equals(bundle)).toBe(true)
    for (const f of [`${h.mjs}.download`, `${h.mjs}.previous`, `${h.state}/update.json`])
      expect(existsSync(f), f).toBe(false)
    // The same process keeps running and answers.
    const ping = await t.server.ctx.hub.runCommand(h.id, 'ping', {}, 10_000, null)
    expect((await ping.done).status).toBe('success')
    expect(h.a.child.exitCode).toBe(null)
    expect(await agentRow(h.id)).toMatchObject({ status: 'connected', version: '0.1.0' })
  })

  test('the dashboard route updates to a release from WIREWARP_RELEASES_DIR, and the row says updated', async () => {
    const h = await install('via-dashboard')
    const sent = await admin.post<CommandLogEntry>(`/api/v1/agents/${h.id}/update`, { version: '0.6.0' })
    expect(sent.status, JSON.stringify(sent.body)).toBe(201)
    await expect
      .poll(() => agentRow(h.id), { timeout: 30_000 })
      .toMatchObject({ status: 'connected', version: '0.6.0', update: { state: 'confirmed', to: '0.6.0' } })
    expect(readFileSync(h.mjs).equals(viaDashboard)).toBe(true)
    const history = await admin.get<{ items: CommandLogEntry[] }>(`/api/v1/agents/${h.id}/commands`)
    expect(history.body.items.filter((c) => c.command === 'update').map((c) => c.status)).toContain('success')
  })
})
