/** The `wirewarp-agent` command as a person or an installer runs it: arguments, exit codes, signals. */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import YAML from 'yaml'
import { type FakeHub, startFakeHub } from './testing/fakeHub.ts'
import { serverState } from './testing/sampleStates.ts'
import { VERSION } from './version.ts'

const exec = promisify(execFile)
const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts')
// WIREWARP_AGENT_BIN=apps/agent/dist/wirewarp-agent.js runs the same checks against the bundle.
const BIN = process.env.WIREWARP_AGENT_BIN
const NODE_ARGS = BIN ? [path.resolve(BIN)] : ['--import', 'tsx', MAIN]

let dir: string
let hub: FakeHub | null
const children: ChildProcess[] = []
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-cli-'))
  hub = null
})
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
  await hub?.close()
  await rm(dir, { recursive: true, force: true })
})

async function agent(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [...NODE_ARGS, ...args], { timeout: 30_000 })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('wirewarp-agent', () => {
  test('--help, --version, unknown command', async () => {
    const help = await agent(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/wirewarp-agent register --url URL --token TOKEN/)
    expect(await agent(['--version'])).toMatchObject({ code: 0, stdout: `${VERSION}\n` })
    const unknown = await agent(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"[\s\S]*Usage:/)
    expect((await agent([])).code).toBe(2)
    expect((await agent(['run', '--nope'])).code).toBe(2)
  })

  test('register: a URL that is not http(s) exits 2 naming --url', async () => {
    const r = await agent([
      'register',
      '--url',
      'ftp://example.com',
      '--token',
      't',
      '--config',
      path.join(dir, 'a.yaml'),
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--url must be the http:\/\/ or https:\/\/ URL/)
  })

  test('register: an unreachable server exits 1 and says so', async () => {
    const r = await agent([
      'register',
      '--url',
      'http://127.0.0.1:1',
      '--token',
      'wwr_secrettoken',
      '--config',
      path.join(dir, 'a.yaml'),
      '--state-dir',
      path.join(dir, 'state'),
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:1: connection refused/)
    expect(r.stderr).not.toContain('wwr_secrettoken')
  })

  test('register writes a 0600 config from the answer', async () => {
    hub = await startFakeHub()
    const config = path.join(dir, 'etc', 'agent.yaml')
    const stateDir = path.join(dir, 'state')
    const r = await agent([
      'register',
      ...['--url', `${hub.url}/`, '--token', 'wwr_secrettoken', '--mode', 'client', '--name', 'homelab'],
      ...['--config', config, '--state-dir', stateDir, '--driver', 'recording'],
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Registered with http:\/\/127\.0\.0\.1:\d+ as client agent agent-1/)
    const sent = await hub.waitFor('register')
    expect(sent).toMatchObject({
      token: 'wwr_secrettoken',
      kind: 'client',
      facts: { capabilities: { driver: 'recording' } },
    })
    expect((await stat(config)).mode & 0o777).toBe(0o600)
    expect(YAML.parse(await readFile(config, 'utf8'))).toEqual({
      serverUrl: hub.url,
      agentId: 'agent-1',
      credential: 'wwa_testcredential123',
      mode: 'client',
      name: 'homelab',
      stateDir,
      driver: 'recording',
      interface: 'wg0',
      metricsSeconds: 30,
    })
  })

  test('register: a refusal exits 1 with the server message', async () => {
    hub = await startFakeHub({
      onMessage: (conn) =>
        conn.send({ type: 'error', code: 'register.token_used', message: 'This token was already used.' }),
    })
    const r = await agent([
      'register',
      ...['--url', hub.url, '--token', 'tok', '--config', path.join(dir, 'a.yaml'), '--state-dir', path.join(dir, 's')],
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('register: This token was already used.\n')
  })

  test('run: connected, applied revision N, SIGTERM closes with 1000 and exits 0', async () => {
    hub = await startFakeHub()
    const config = path.join(dir, 'agent.yaml')
    const reg = await agent([
      'register',
      ...[
        '--url',
        hub.url,
        '--token',
        't',
        '--config',
        config,
        '--state-dir',
        path.join(dir, 's'),
        '--driver',
        'recording',
      ],
    ])
    expect(reg.code).toBe(0)

    const child = spawn(process.execPath, [...NODE_ARGS, 'run', '--config', config])
    children.push(child)
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const waitLine = (re: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${re} in:\n${stderr}`)), 15_000)
        const check = () => {
          if (re.test(stderr)) {
            clearTimeout(t)
            resolve()
          } else setTimeout(check, 20)
        }
        check()
      })
    await waitLine(/info connected to /)
    const conn = hub.connections.at(-1)!
    conn.send({ type: 'desired_state', state: serverState(1) })
    await waitLine(/info applied revision 1 /)
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect((await conn.closed).code).toBe(1000)
    expect(stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info /)
    expect(stderr).not.toContain('wwa_testcredential123')
  })
})
