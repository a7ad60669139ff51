/**
 * The install command from the dashboard, run for real: the server's install script downloads
 * the agent from the server, checks its SHA-256, registers it with the one-time token and writes
 * the systemd unit. It installs into a directory (WIREWARP_PREFIX) and skips the distribution's
 * package manager (WIREWARP_SKIP_PACKAGES): a test must not install system packages or start
 * services on the machine it runs on.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Agent, RegistrationTokenCreated } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Client, signIn, skipDb, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { AGENT_BIN, RunningAgent, skipAgent } from './agentProcess.ts'

const skip = (await skipDb()) || skipAgent()

function sh(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('sh', [script, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    )
  })
}

describe.skipIf(skip)('install script', () => {
  let t: TestServer
  let admin: Client
  const dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-install-'))

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
  })
  afterAll(async () => {
    await t?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function script(mode: 'server' | 'client'): Promise<string> {
    const res = await fetch(`${t.url}/install/${mode}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/shellscript/)
    const file = path.join(dir, `install-${mode}.sh`)
    writeFileSync(file, await res.text())
    return file
  }

  test('both scripts are valid POSIX sh', async () => {
    for (const mode of ['server', 'client'] as const) {
      const check = await sh('-n', [await script(mode)], {})
      expect(check.code, check.out).toBe(0)
    }
  })

  test('the install command installs, verifies, registers and writes the service', async () => {
    const created = await admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', {
      kind: 'client',
      name: 'installed-lab',
    })
    // The command shown in the dashboard, minus `curl | sudo`: the same script and arguments.
    const args = [...created.body.installCommand.matchAll(/--(url|token) '([^']+)'/g)].flatMap((m) => [
      `--${m[1]}`,
      m[2]!,
    ])
    const root = path.join(dir, 'root')
    const r = await sh(await script('client'), args, {
      WIREWARP_PREFIX: root,
      WIREWARP_SKIP_PACKAGES: '1',
      WIREWARP_DRIVER: 'recording',
    })
    expect(r.code, r.out).toBe(0)
    expect(r.out).toMatch(/done: this host is a WireWarp client agent/)

    const installed = readFileSync(path.join(root, 'usr/local/lib/wirewarp/wirewarp-agent.js'))
    expect(installed.equals(readFileSync(AGENT_BIN))).toBe(true)
    const sha = await (await fetch(`${t.url}/releases/wirewarp-agent.js.sha256`)).text()
    expect(sha).toMatch(/^[0-9a-f]{64} {2}wirewarp-agent\.js\n$/)
    expect(statSync(path.join(root, 'etc/wirewarp/agent.yaml')).mode & 0o777).toBe(0o600)
    const unit = readFileSync(path.join(root, 'etc/systemd/system/wirewarp-agent.service'), 'utf8')
    expect(unit).toContain(
      `ExecStart=${root}/usr/local/bin/wirewarp-agent run --config ${root}/etc/wirewarp/agent.yaml`,
    )
    expect(unit).toContain('RestartPreventExitStatus=3')

    const agents = await admin.get<{ items: Agent[] }>('/api/v1/agents')
    expect(agents.body.items.map((a) => a.name)).toContain('installed-lab')

    // What systemd would start, started here: it connects.
    const a = new RunningAgent(
      spawn(
        path.join(root, 'usr/local/bin/wirewarp-agent'),
        ['run', '--config', path.join(root, 'etc/wirewarp/agent.yaml')],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    )
    try {
      await a.waitFor(/connected to/)
    } finally {
      a.kill()
      await a.exited
    }
  })

  test('without a token it stops before touching anything, saying what is missing', async () => {
    const root = path.join(dir, 'empty-root')
    const r = await sh(await script('server'), ['--url', t.url], { WIREWARP_PREFIX: root, WIREWARP_SKIP_PACKAGES: '1' })
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/--token is required/)
    expect(() => statSync(root)).toThrow()
  })
})
