/**
 * The install command on a stock Debian 12 host, for real: a debootstrap root filesystem (curl
 * in it; no Node, no sudo) in a podman container, as root, runs the command exactly as the
 * registration-token API returns it, with ` --no-service` added (no systemd in a container).
 * The agent registers and connects through the built server; running the command again changes
 * nothing and makes no second agent; `--uninstall` leaves no executable, config, nftables
 * table or interface behind.
 *
 * The container has its own network namespace (slirp4netns): the agent's nftables table and
 * WireGuard interface are made there, never on this machine, and the server is reached at
 * 10.0.2.2 (slirp's address for this machine's loopback). The agent runs its real `linux`
 * driver: there is no WireGuard kernel module here, so the script installs Debian's
 * wireguard-go and the agent makes a userspace interface (/dev/net/tun passed in). /proc/sys
 * is read-only in a container, so net.ipv4.ip_forward is set by podman (--sysctl) to the value
 * the agent would write on a real host. Root only; skipped without podman, debootstrap,
 * slirp4netns and the builds outside CI, failing under CI=true.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Agent, RegistrationTokenCreated } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { AdminApi } from '../lab/adminApi.ts'
import { REPO_ROOT, SERVER_MAIN } from '../lab/controlServer.ts'
import { BASE_IMAGE, hasCommand, Podman } from './podman.ts'

const ARCH = process.arch === 'arm64' ? 'arm64' : 'x64'
const RELEASE_FILE = path.join(REPO_ROOT, 'dist/release', `wirewarp-agent-linux-${ARCH}`)
const missing = [
  process.getuid?.() !== 0 && 'root',
  ...['podman', 'runc', 'debootstrap', 'slirp4netns'].filter((c) => !hasCommand(c)),
  !existsSync(SERVER_MAIN) && 'apps/server/dist/main.js (npm run build)',
  !existsSync(RELEASE_FILE) && `${path.relative(REPO_ROOT, RELEASE_FILE)} (npm run build:release)`,
].filter((m): m is string => !!m)
const skip = missing.length > 0 && process.env.CI !== 'true'

const ADMIN = { email: 'admin@example.com', password: 'install-test-admin-password-1' }
/** This machine's loopback as slirp4netns shows it to the container (allow_host_loopback). */
const HOST_FROM_CONTAINER = '10.0.2.2'

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '0.0.0.0', () => {
      const a = s.address()
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))))
    })
  })
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, detail: () => string) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

describe.skipIf(skip)('install on stock Debian 12 (podman)', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'wirewarp-install-debian-'))
  const name = `wirewarp-install-${process.pid}-${randomBytes(3).toString('hex')}`
  const started = Date.now()
  const timings: string[] = []
  const mark = (what: string) => timings.push(`${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`)
  let podman: Podman
  let server: ChildProcess | undefined
  let serverLog = ''
  let localUrl = ''
  let api: AdminApi
  let command = ''
  let firstRun: ChildProcess | undefined
  let firstRunLog = ''
  let firstRunExit: Promise<number | null> | undefined

  const exec = (script: string, timeoutMs = 180_000) => podman.run(['exec', name, 'sh', '-c', script], { timeoutMs })
  const logs = () => `--- install (first run):\n${firstRunLog.slice(-6000)}\n--- server:\n${serverLog.slice(-3000)}`
  const agents = async () => (await api.request<{ items: Agent[] }>('GET', '/api/v1/agents')).items

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`the install test needs: ${missing.join(', ')}`)
    podman = new Podman(work)
    await podman.ensureBaseImage((line) => console.log(`install test: ${line}`))
    mark('base image ready')

    const port = await freePort()
    localUrl = `http://127.0.0.1:${port}`
    // Only what the server needs: a DATABASE_URL from the caller's shell must not leak in.
    server = spawn(process.execPath, [SERVER_MAIN], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        HOST: '0.0.0.0',
        WIREWARP_DATA_DIR: path.join(work, 'server-data'),
        WIREWARP_ADMIN_EMAIL: ADMIN.email,
        WIREWARP_ADMIN_PASSWORD: ADMIN.password,
        WIREWARP_PUBLIC_URL: `http://${HOST_FROM_CONTAINER}:${port}`,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    for (const s of [server.stdout, server.stderr]) s?.on('data', (d: Buffer) => (serverLog += d.toString()))
    await until(
      `${localUrl}/api/health`,
      async () => ((await fetch(`${localUrl}/api/health`)).status === 200 ? true : undefined),
      30_000,
      () => serverLog,
    )
    api = await AdminApi.signIn(localUrl, ADMIN.email, ADMIN.password)
    // The host must be offered the self-contained agent, not the bundle that needs Node 20.
    expect(await (await fetch(`${localUrl}/releases/SHA256SUMS`)).text()).toMatch(
      new RegExp(`^[0-9a-f]{64}  wirewarp-agent-linux-${ARCH}$`, 'm'),
    )

    await podman.ok([
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'slirp4netns:allow_host_loopback=true',
      '--cap-add',
      'NET_ADMIN',
      '--device',
      '/dev/net/tun',
      '--sysctl',
      'net.ipv4.ip_forward=1',
      BASE_IMAGE,
      'sleep',
      'infinity',
    ])
    mark('server and container up')
  }, 900_000)

  afterAll(async () => {
    firstRun?.kill('SIGKILL')
    if (podman) await podman.run(['rm', '-f', '-t', '0', name])
    server?.kill('SIGTERM')
    rmSync(work, { recursive: true, force: true })
    if (timings.length) console.log(`install test timings: ${timings.join(', ')}`)
  })

  test('a stock host: no Node, no sudo, no WireGuard module', async () => {
    const r = await exec('command -v node; command -v sudo; command -v curl; [ -d /sys/module/wireguard ] && echo wg')
    expect(r.out.trim()).toBe('/usr/bin/curl')
  })

  test('the install command as the API returns it, with --no-service: registers, connects, applies', async () => {
    const created = await api.request<RegistrationTokenCreated>('POST', '/api/v1/registration-tokens', {
      kind: 'server',
      name: 'debian-vps',
    })
    command = created.installCommand
    expect(command).toContain(`http://${HOST_FROM_CONTAINER}:`)
    expect(command).not.toContain('sudo')

    firstRun = spawn('podman', ['exec', name, 'sh', '-c', `${command} --no-service`], {
      env: podman.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    for (const s of [firstRun.stdout, firstRun.stderr]) s?.on('data', (d: Buffer) => (firstRunLog += d.toString()))
    const child = firstRun
    firstRunExit = new Promise((resolve) => child.on('exit', (code) => resolve(code)))

    const agent = await until(
      'the agent to connect and apply its state',
      async () => {
        if (child.exitCode !== null) throw new Error('stopped')
        const [a, ...more] = await agents()
        expect(more).toEqual([])
        return a?.status === 'connected' && a.appliedRevision > 0 && a.appliedRevision === a.desiredRevision
          ? a
          : undefined
      },
      240_000,
      logs,
    ).catch(async (err) => {
      if (child.exitCode !== null) throw new Error(`the install command exited ${child.exitCode}\n${logs()}`)
      throw err
    })
    mark('agent connected')
    expect(agent.name).toBe('debian-vps')
    expect(agent.lastApplyError).toBeNull()
    expect(agent.arch).toBe(ARCH)
    expect(agent.capabilities).toMatchObject({ driver: 'linux', wireguard: 'userspace' })
    expect(firstRunLog).toMatch(/SHA-256 checked/)
    expect(firstRunLog).toMatch(/installing wireguard-go/)
    expect(firstRunLog).toContain(`downloading wirewarp-agent-linux-${ARCH}`)

    // What the linux driver made, inside the container's own network namespace.
    const host = await exec(
      'nft list tables; ip -br link show wg0; command -v node; readlink /usr/local/bin/wirewarp-agent',
    )
    expect(host.out).toMatch(/^table inet wirewarp$/m)
    expect(host.out).toMatch(/^wg0\s/m)
    expect(host.out).not.toMatch(/\/node$/m)
    expect(host.out).toMatch(/^\/usr\/local\/lib\/wirewarp\/wirewarp-agent$/m)
    const list = await exec('cat /usr/local/lib/wirewarp/installed')
    expect(list.out.split('\n')).toEqual(
      expect.arrayContaining([
        '/usr/local/lib/wirewarp',
        '/usr/local/lib/wirewarp/wirewarp-agent',
        '/usr/local/bin/wirewarp-agent',
        '/etc/wirewarp/agent.yaml',
        '/var/lib/wirewarp',
      ]),
    )
  })

  test('running the command again changes nothing and makes no second agent', async () => {
    expect(command).not.toBe('')
    const snapshot = () =>
      exec(
        'cd / && stat -c "%n %i %Y %s %a" usr/local/lib/wirewarp/* usr/local/bin/wirewarp-agent etc/wirewarp/* && ' +
          'sha256sum usr/local/lib/wirewarp/* etc/wirewarp/agent.yaml && cat var/lib/wirewarp/foreground.pid && nft list tables',
      )
    const before = await snapshot()
    expect(before.code, before.out).toBe(0)
    const [agentBefore] = await agents()

    const again = await exec(`${command} --no-service`)
    mark('second run done')
    expect(again.code, again.out).toBe(0)
    expect(again.out).toMatch(/already registered/)
    expect(again.out).toMatch(/nothing changed/)
    expect((await snapshot()).out).toBe(before.out)
    const after = await agents()
    expect(after.map((a) => [a.id, a.status])).toEqual([[agentBefore!.id, 'connected']])
  })

  test('--uninstall leaves no executable, config, nftables table or interface', async () => {
    expect(command).not.toBe('')
    // The same command with --uninstall added (the token is ignored then).
    const r = await exec(`${command} --uninstall`)
    mark('uninstalled')
    expect(r.code, r.out).toBe(0)
    expect(r.out).toMatch(/stopping the agent running in the foreground/)
    expect(await firstRunExit).not.toBeUndefined()

    const left = await exec(
      'for p in /usr/local/lib/wirewarp /usr/local/bin/wirewarp-agent /etc/wirewarp /var/lib/wirewarp /etc/systemd/system/wirewarp-agent.service; do ' +
        '{ [ -e "$p" ] || [ -L "$p" ]; } && echo "left: $p"; done; nft list tables; ip -br link; ls /var/run/wireguard 2>/dev/null; true',
    )
    expect(left.out).not.toMatch(/left:/)
    expect(left.out).not.toMatch(/wirewarp/)
    expect(left.out).not.toMatch(/wg0/)
    await until(
      'the agent to show disconnected',
      async () => ((await agents())[0]?.status === 'disconnected' ? true : undefined),
      30_000,
      logs,
    )
  })

  test('as a user: without sudo it says what to do; with sudo it re-runs itself through it', async () => {
    const created = await api.request<RegistrationTokenCreated>('POST', '/api/v1/registration-tokens', {
      kind: 'server',
      name: 'debian-sudo',
    })
    const asUser = (script: string) => exec(`su deploy -c ${shellQuote(script)}`)
    expect((await exec('useradd -m deploy')).code).toBe(0)
    const refused = await asUser(created.installCommand)
    expect(refused.code, refused.out).toBe(1)
    expect(refused.out).toMatch(/neither sudo nor doas is installed: run the same command as root/)
    expect((await exec('test -e /usr/local/lib/wirewarp || echo clean')).out.trim()).toBe('clean')

    const sudo = await exec(
      "apt-get install -y -qq --no-install-recommends sudo >/dev/null && echo 'deploy ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/deploy",
    )
    expect(sudo.code, sudo.out).toBe(0)
    mark('sudo installed')
    // No systemd or OpenRC in a container: installed and registered, the start left to the person.
    const r = await asUser(created.installCommand)
    expect(r.code, r.out).toBe(0)
    expect(r.out).toMatch(/not running as root: re-running with sudo/)
    expect(r.out).toMatch(/no systemd or OpenRC here to start it/)
    expect((await agents()).map((a) => a.name).sort()).toEqual(['debian-sudo', 'debian-vps'])

    const gone = await asUser(`${created.installCommand} --uninstall`)
    expect(gone.code, gone.out).toBe(0)
    expect((await exec('ls /usr/local/lib/wirewarp /etc/wirewarp /var/lib/wirewarp 2>&1; ls /tmp')).out).not.toMatch(
      /wirewarp-agent|agent\.yaml|wirewarp-install/,
    )
    mark('sudo install and uninstall done')
  })
})

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`
}
