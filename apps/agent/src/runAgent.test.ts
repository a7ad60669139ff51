import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CloseCode, PROTOCOL_VERSION, WgKey } from '@wirewarp/protocol'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { EXIT_UNINSTALLED } from './exitCodes.ts'
import { createLogger } from './logger.ts'
import { installLayout } from './removeInstallation.ts'
import { type RunAgentOptions, runAgent } from './runAgent.ts'
import { StateStore } from './stateStore.ts'
import { type FakeHub, type FakeHubOptions, startFakeHub } from './testing/fakeHub.ts'
import { SAMPLE_EPOCH, serverState } from './testing/sampleStates.ts'

let dir: string
let stateDir: string
let configPath: string
let hub: FakeHub | null
let logText: string
let stop: AbortController

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-run-'))
  stateDir = path.join(dir, 'state')
  configPath = path.join(dir, 'agent.yaml')
  hub = null
  logText = ''
  stop = new AbortController()
})
afterEach(async () => {
  stop.abort()
  await hub?.close()
  await rm(dir, { recursive: true, force: true })
})

async function writeConfig(serverUrl: string, extra = ''): Promise<void> {
  await writeFile(
    configPath,
    `serverUrl: ${serverUrl}\nagentId: agent-1\ncredential: wwa_testcredential123\nmode: server\nstateDir: ${stateDir}\ndriver: recording\n${extra}`,
  )
}

async function withHub(opts: FakeHubOptions = {}): Promise<FakeHub> {
  hub = await startFakeHub(opts)
  await writeConfig(hub.url)
  return hub
}

function start(opts: Partial<RunAgentOptions> = {}): Promise<number> {
  return runAgent({
    configPath,
    log: createLogger({
      write: (l) => {
        logText += l
      },
    }),
    signal: stop.signal,
    backoff: { initialMs: 20, maxMs: 100, stableMs: 10_000 },
    connectTimeoutMs: 2000,
    ...opts,
  })
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; log:\n${logText}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

async function recorded(): Promise<{ revision: number }[]> {
  const text = await readFile(path.join(stateDir, 'recording.jsonl'), 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
}

describe('run', () => {
  test('says hello with its credential, facts and applied revision; logs connected', async () => {
    const h = await withHub()
    const exit = start()
    const hello = await h.waitFor('hello')
    expect(hello).toMatchObject({
      protocolVersion: PROTOCOL_VERSION,
      agentId: 'agent-1',
      credential: 'wwa_testcredential123',
      appliedRevision: 0,
      appliedEpoch: '',
      commands: ['ping', 'diagnostics', 'restart', 'check_drift', 'uninstall', 'update'],
      facts: { capabilities: { driver: 'recording' }, host: { node: process.versions.node } },
    })
    expect(WgKey.safeParse(hello.facts.publicKey).success).toBe(true)
    await until(() => logText.includes(`connected to ${h.url}`), 'connected')
    expect(logText).not.toContain('wwa_testcredential123')
    stop.abort()
    expect(await exit).toBe(0)
    expect((await h.connections[0]!.closed).code).toBe(1000)
  })

  test('applies the saved state before connecting, and reports it in hello', async () => {
    const store = new StateStore(stateDir)
    await store.open()
    await store.saveState(serverState(3))
    let recordedAtHello: { revision: number }[] = []
    const h = await withHub({
      onMessage: (conn, m) => {
        if (m.type !== 'hello') return
        void recorded().then((r) => {
          recordedAtHello = r
          conn.send({ type: 'welcome', agentId: 'agent-1', serverVersion: 't', heartbeatSeconds: 30 })
        })
      },
    })
    const exit = start()
    expect((await h.waitFor('hello')).appliedRevision).toBe(3)
    await until(() => logText.includes('connected'), 'connected')
    expect(recordedAtHello.map((r) => r.revision)).toEqual([3])
    expect(logText).toMatch(/applied revision 3 \(saved state, before connecting\)[\s\S]*connected to/)
    stop.abort()
    await exit
  })

  test('persists, applies and acknowledges each desired state', async () => {
    const h = await withHub()
    const exit = start()
    await h.waitFor('hello')
    await until(() => logText.includes('connected'), 'connected')
    h.connections[0]!.send({ type: 'desired_state', state: serverState(4) })
    expect(await h.waitFor('applied')).toEqual({
      type: 'applied',
      revision: 4,
      epoch: SAMPLE_EPOCH,
      ok: true,
      durationMs: expect.any(Number),
    })
    expect(logText).toContain('applied revision 4')
    expect(JSON.parse(await readFile(path.join(stateDir, 'state.json'), 'utf8'))).toEqual(serverState(4))
    expect((await recorded()).map((r) => r.revision)).toEqual([4])

    // A failing apply is reported, and the next hello still says 4.
    await writeFile(path.join(stateDir, 'recording.fail'), 'simulated failure')
    h.connections[0]!.send({ type: 'desired_state', state: serverState(5) })
    expect(await h.waitFor('applied', (m) => m.revision === 5)).toMatchObject({ ok: false, error: 'simulated failure' })
    h.connections[0]!.socket.close(CloseCode.shuttingDown, 'restarting')
    await until(() => h.connections.length === 2, 'reconnect')
    expect((await h.waitFor('hello', () => h.connections[1]!.received.length > 0)).type).toBe('hello')
    expect(h.connections[1]!.received[0]).toMatchObject({ type: 'hello', appliedRevision: 4 })
    stop.abort()
    expect(await exit).toBe(0)
  })

  test('a stale state is not applied nor acknowledged; the applied epoch survives a restart of the process', async () => {
    const h = await withHub()
    let exit = start()
    await until(() => logText.includes('connected'), 'connected')
    h.connections[0]!.send({ type: 'desired_state', state: serverState(5, 'epoch-b') })
    h.connections[0]!.send({ type: 'desired_state', state: serverState(4, 'epoch-b') })
    h.connections[0]!.send({ type: 'command', id: 'p1', command: 'ping', params: {}, timeoutMs: 1000 })
    await h.waitFor('command_result')
    await until(() => logText.includes('ignored revision 4'), 'the stale state refused')
    expect(h.received.filter((m) => m.type === 'applied').map((m) => m.type === 'applied' && m.revision)).toEqual([5])
    expect((await recorded()).map((r) => r.revision)).toEqual([5])
    stop.abort()
    expect(await exit).toBe(0)

    // A new process: it reports what it applied, and still refuses what is older.
    stop = new AbortController()
    exit = start()
    await until(() => h.connections.length === 2 && h.connections[1]!.received.length > 0, 'second hello')
    expect(h.connections[1]!.received[0]).toMatchObject({ type: 'hello', appliedRevision: 5, appliedEpoch: 'epoch-b' })
    await until(() => (logText.match(/connected to/g) ?? []).length === 2, 'connected again')
    h.connections[1]!.send({ type: 'desired_state', state: serverState(3, 'epoch-b') })
    h.connections[1]!.send({ type: 'desired_state', state: serverState(2, 'epoch-c') })
    expect(await h.waitFor('applied', (m) => m.epoch === 'epoch-c')).toMatchObject({ revision: 2, ok: true })
    expect((await recorded()).map((r) => r.revision)).toEqual([5, 5, 2])
    stop.abort()
    await exit
  })

  test('a frame nested too deep is refused and the agent carries on', async () => {
    const h = await withHub()
    const exit = start()
    await until(() => logText.includes('connected'), 'connected')
    h.connections[0]!.socket.send(`{"type":"heartbeat_ack","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)
    h.connections[0]!.send({ type: 'desired_state', state: serverState(4) })
    expect(await h.waitFor('applied')).toMatchObject({ revision: 4, ok: true })
    expect(logText).toMatch(/ignored a message from the server the agent cannot read: .*nested deeper/)
    expect(h.connections).toHaveLength(1)
    stop.abort()
    await exit
  })

  test('a frame larger than the bound closes the connection, and the agent reconnects', async () => {
    const h = await withHub()
    const exit = start({ maxFrameBytes: 4096 })
    await until(() => logText.includes('connected'), 'connected')
    h.connections[0]!.send({ type: 'error', code: 'x', message: 'y'.repeat(10_000) })
    expect((await h.connections[0]!.closed).code).toBe(1009)
    await until(() => h.connections.length === 2, 'reconnect')
    stop.abort()
    expect(await exit).toBe(0)
  })

  test('an unreadable state is answered with a failed apply', async () => {
    const h = await withHub()
    const exit = start()
    await until(() => logText.includes('connected'), 'connected')
    h.connections[0]!.socket.send(JSON.stringify({ type: 'desired_state', state: { mode: 'server', revision: 9 } }))
    expect(await h.waitFor('applied')).toMatchObject({ revision: 9, ok: false })
    stop.abort()
    await exit
  })

  test('sends heartbeats and metrics', async () => {
    const h = await withHub()
    const exit = start({ heartbeatMs: 50, metricsMs: 50 })
    await h.waitFor('heartbeat')
    const metrics = await h.waitFor('metrics')
    expect(metrics.sample.memoryTotalBytes).toBeGreaterThan(0)
    stop.abort()
    await exit
  })

  test('answers check_drift once a state is applied; the periodic checks keep the agent running', async () => {
    const h = await withHub()
    const exit = start({ driftCheckMs: 20 })
    await until(() => logText.includes('connected'), 'connected')
    const conn = h.connections[0]!
    conn.send({ type: 'command', id: 'd1', command: 'check_drift', params: {}, timeoutMs: 1000 })
    expect(await h.waitFor('command_result')).toMatchObject({
      id: 'd1',
      ok: true,
      result: { ok: true, items: [], checked: false, reason: 'no state was applied since the agent started' },
    })
    conn.send({ type: 'desired_state', state: serverState(2) })
    await h.waitFor('applied')
    await new Promise((r) => setTimeout(r, 100))
    conn.send({ type: 'command', id: 'd2', command: 'check_drift', params: {}, timeoutMs: 1000 })
    expect(await h.waitFor('command_result', (m) => m.id === 'd2')).toMatchObject({
      ok: true,
      result: { ok: true, items: [], checked: true },
    })
    // The recording driver never drifts: nothing but the answers was sent.
    expect(h.received.filter((m) => m.type === 'drift_repaired')).toEqual([])
    stop.abort()
    expect(await exit).toBe(0)
  })

  test('answers ping and diagnostics', async () => {
    const h = await withHub()
    const exit = start()
    await until(() => logText.includes('connected'), 'connected')
    h.connections[0]!.send({ type: 'command', id: 'c1', command: 'ping', params: {}, timeoutMs: 1000 })
    expect(await h.waitFor('command_result')).toMatchObject({ id: 'c1', ok: true, result: { pong: true } })
    h.connections[0]!.send({ type: 'command', id: 'c2', command: 'diagnostics', params: {}, timeoutMs: 1000 })
    expect(await h.waitFor('command_result', (m) => m.id === 'c2')).toMatchObject({
      ok: true,
      result: { driver: 'recording', appliedRevision: 0 },
    })
    stop.abort()
    await exit
  })

  test('restart: replies, closes cleanly, re-reads config, re-applies the saved state and reconnects', async () => {
    const h = await withHub()
    const exit = start()
    await until(() => logText.includes('connected'), 'connected')
    h.connections[0]!.send({ type: 'desired_state', state: serverState(2) })
    await h.waitFor('applied')
    // A config change that restart must pick up.
    await writeConfig(h.url, 'metricsSeconds: 7\n')
    h.connections[0]!.send({ type: 'command', id: 'r1', command: 'restart', params: {}, timeoutMs: 1000 })
    expect(await h.waitFor('command_result')).toMatchObject({ id: 'r1', ok: true })
    expect((await h.connections[0]!.closed).code).toBe(1000)
    await until(() => h.connections.length === 2 && h.connections[1]!.received.length > 0, 'second hello')
    expect(h.connections[1]!.received[0]).toMatchObject({ type: 'hello', appliedRevision: 2 })
    expect((await recorded()).map((r) => r.revision)).toEqual([2, 2])
    expect(logText.match(/starting: server mode/g)).toHaveLength(2)
    stop.abort()
    expect(await exit).toBe(0)
  })

  test('uninstall: reports what it removed, closes cleanly, does not reconnect and exits 3', async () => {
    const h = await withHub()
    const layout = installLayout(path.join(dir, 'root'))
    await mkdir(layout.lib, { recursive: true })
    await writeFile(`${layout.lib}/wirewarp-agent.mjs`, '// the agent')
    const exit = start({ layout })
    await until(() => logText.includes('connected'), 'connected')
    h.connections[0]!.send({ type: 'command', id: 'u1', command: 'uninstall', params: {}, timeoutMs: 1000 })
    const result = await h.waitFor('command_result')
    expect(result).toMatchObject({
      id: 'u1',
      ok: true,
      result: {
        teardown: 'The recording driver changes nothing on the host; nothing to tear down.',
        service: { manager: 'none', done: [] },
        removed: [configPath, layout.lib].sort(),
        // The test's state directory lies outside the layout, so it stays.
        ignored: [{ path: stateDir }],
        failed: [],
      },
    })
    expect((await h.connections[0]!.closed).code).toBe(1000)
    expect(await exit).toBe(EXIT_UNINSTALLED)
    expect(h.connections).toHaveLength(1)
    expect(existsSync(layout.lib)).toBe(false)
    expect(existsSync(configPath)).toBe(false)
    expect(logText).toMatch(/uninstalled: the agent removed itself from this host; exiting/)
  })

  test('reconnects after the server goes silent', async () => {
    const h = await withHub({
      autoPong: false,
      onMessage: (conn, m) => {
        // Welcome the first connection, then never say anything again.
        if (m.type === 'hello')
          conn.send({ type: 'welcome', agentId: 'agent-1', serverVersion: 't', heartbeatSeconds: 30 })
      },
    })
    const exit = start({ deadAfterMs: 300, heartbeatMs: 100 })
    await until(() => h.connections.length >= 2, 'a second connection')
    expect(logText).toMatch(/no word from the server for 300 ms; dropping the connection/)
    stop.abort()
    await exit
  })

  test('keeps retrying while the server is unreachable', async () => {
    await writeConfig('http://127.0.0.1:1')
    const exit = start()
    await until(() => (logText.match(/reconnecting in/g) ?? []).length >= 3, 'three retries')
    expect(logText).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:1: connection refused/)
    stop.abort()
    expect(await exit).toBe(0)
  })

  test('a fatal hub error exits 3 without retrying', async () => {
    const h = await withHub({
      onMessage: (conn, m) => {
        if (m.type !== 'hello') return
        conn.send({ type: 'error', code: 'hello.unknown_agent', message: 'This agent was deleted.' })
        conn.socket.close(CloseCode.refused, 'refused')
      },
    })
    expect(await start()).toBe(3)
    expect(h.connections).toHaveLength(1)
    expect(logText).toMatch(/the server refused this agent: This agent was deleted\. \[hello\.unknown_agent\]/)
  })

  test('close code deleted exits 3; replaced exits 0', async () => {
    const close = (code: number) =>
      withHub({
        onMessage: (conn, m) => {
          if (m.type !== 'hello') return
          conn.send({ type: 'welcome', agentId: 'agent-1', serverVersion: 't', heartbeatSeconds: 30 })
          conn.socket.close(code)
        },
      })
    await close(CloseCode.deleted)
    expect(await start()).toBe(3)
    await hub!.close()
    await close(CloseCode.replaced)
    expect(await start()).toBe(0)
    expect(logText).toMatch(/replaced this one/)
  })

  test('an invalid config exits 2 naming file and key', async () => {
    await writeFile(configPath, 'serverUrl: http://x\nagentId: a\nmode: server\n')
    expect(await start()).toBe(2)
    expect(logText).toContain(`${configPath}: key credential is missing`)
  })
})
