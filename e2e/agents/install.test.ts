/**
 * The install command from the dashboard, run for real: the server's install script downloads
 * the agent from the server, checks its SHA-256 against SHA256SUMS, registers it with the
 * one-time token and writes the systemd unit. It installs into a directory (WIREWARP_PREFIX)
 * and skips the distribution's package manager (WIREWARP_SKIP_PACKAGES): a test must not
 * install system packages or start services on the machine it runs on. e2e/install runs the
 * same script as root on a stock Debian 12 container, without these hooks.
 */
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Agent, RegistrationTokenCreated } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Client, signIn, skipDb, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { RunningAgent, skipAgent } from './agentProcess.ts'

const skip = (await skipDb()) || skipAgent()

function sh(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('sh', [script, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    )
  })
}

/** The arguments of the dashboard's command (`--url '…' --token '…'`), for the script run directly. */
function commandArgs(command: string): string[] {
  return [...command.matchAll(/--(url|token) '([^']+)'/g)].flatMap((m) => [`--${m[1]}`, m[2]!])
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
    expect(created.body.installCommand).toMatch(
      /^\(curl -fsSL '[^']+\/install\/client' \|\| wget -qO- '[^']+'\) \| sh -s -- /,
    )
    // The command shown in the dashboard, minus the download: the same script and arguments.
    const root = path.join(dir, 'root')
    const r = await sh(await script('client'), commandArgs(created.body.installCommand), {
      WIREWARP_PREFIX: root,
      WIREWARP_SKIP_PACKAGES: '1',
      WIREWARP_DRIVER: 'recording',
    })
    expect(r.code, r.out).toBe(0)
    expect(r.out).toMatch(/done: this host is a WireWarp client agent/)

    // The file the script picked for this host, byte for byte what SHA256SUMS lists.
    const file = /downloading (\S+) from/.exec(r.out)?.[1]
    const sums = await (await fetch(`${t.url}/releases/SHA256SUMS`)).text()
    const listed = new Map(
      sums
        .trim()
        .split('\n')
        .map((l) => [l.slice(66), l.slice(0, 64)]),
    )
    expect(file && listed.has(file), `${r.out}\n${sums}`).toBe(true)
    const lib = path.join(root, 'usr/local/lib/wirewarp')
    const installed = readFileSync(path.join(lib, file!.endsWith('.mjs') ? 'wirewarp-agent.mjs' : 'wirewarp-agent'))
    expect(createHash('sha256').update(installed).digest('hex')).toBe(listed.get(file!))
    expect(statSync(path.join(root, 'etc/wirewarp/agent.yaml')).mode & 0o777).toBe(0o600)
    const unit = readFileSync(path.join(root, 'etc/systemd/system/wirewarp-agent.service'), 'utf8')
    expect(unit).toContain(`ExecStart=${lib}/wirewarp-launcher run --config ${root}/etc/wirewarp/agent.yaml`)
    expect(unit).toContain('RestartPreventExitStatus=3')
    // Everything it created is listed for uninstall, the directories before what they hold.
    const list = readFileSync(path.join(lib, 'installed'), 'utf8').trim().split('\n')
    for (const p of [
      lib,
      `${lib}/wirewarp-agent`,
      `${lib}/wirewarp-launcher`,
      `${root}/usr/local/bin/wirewarp-agent`,
      `${root}/etc/wirewarp/agent.yaml`,
    ])
      expect(list).toContain(p)
    expect(list.indexOf(lib)).toBeLessThan(list.indexOf(`${lib}/wirewarp-agent`))

    const agents = await admin.get<{ items: Agent[] }>('/api/v1/agents')
    expect(agents.body.items.map((a) => a.name)).toContain('installed-lab')

    // What systemd would start, started here (through the /usr/local/bin symlink): it connects.
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

    // Again: registration skipped (the token is spent), nothing rewritten.
    const before = statSync(path.join(lib, 'wirewarp-agent'))
    const again = await sh(await script('client'), commandArgs(created.body.installCommand), {
      WIREWARP_PREFIX: root,
      WIREWARP_SKIP_PACKAGES: '1',
    })
    expect(again.code, again.out).toBe(0)
    expect(again.out).toMatch(/already registered/)
    expect(statSync(path.join(lib, 'wirewarp-agent')).ino).toBe(before.ino)

    // --uninstall (the agent's teardown with the recording driver changes nothing here).
    const gone = await sh(await script('client'), ['--uninstall'], { WIREWARP_PREFIX: root })
    expect(gone.code, gone.out).toBe(0)
    for (const p of ['usr/local/lib/wirewarp', 'usr/local/bin/wirewarp-agent', 'etc/wirewarp', 'var/lib/wirewarp'])
      expect(existsSync(path.join(root, p)), p).toBe(false)
    expect(existsSync(path.join(root, 'etc/systemd/system/wirewarp-agent.service'))).toBe(false)
  })

  test('a download whose SHA-256 differs from SHA256SUMS is refused, and nothing is installed', async () => {
    // A server in front of the real one that alters what it sends: SHA256SUMS says otherwise.
    const tampering: Server = createServer(async (req, res) => {
      const upstream = await fetch(`${t.url}${req.url}`)
      let body = Buffer.from(await upstream.arrayBuffer())
      if (req.url?.startsWith('/releases/wirewarp-agent')) body = Buffer.concat([body, Buffer.from('\n// altered\n')])
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
      })
      res.end(body)
    })
    await new Promise<void>((resolve) => tampering.listen(0, '127.0.0.1', resolve))
    const address = tampering.address()
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    try {
      const root = path.join(dir, 'tampered-root')
      const r = await sh(await script('server'), ['--url', url, '--token', 'wwr_unused'], {
        WIREWARP_PREFIX: root,
        WIREWARP_SKIP_PACKAGES: '1',
        // The small file: the refusal is the same for the executables.
        WIREWARP_RELEASE_FILE: 'wirewarp-agent.mjs',
      })
      expect(r.code, r.out).toBe(1)
      expect(r.out).toMatch(
        /refusing wirewarp-agent\.mjs: its SHA-256 is [0-9a-f]{64}, but the server's SHA256SUMS says [0-9a-f]{64}\. Nothing was installed/,
      )
      expect(existsSync(root)).toBe(false)
    } finally {
      await new Promise((resolve) => tampering.close(resolve))
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
