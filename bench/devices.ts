/**
 * The remote-access VPN at scale: N devices (default 10,000) of U users (default 1,000, three
 * rules each) on one tunnel server, with the built server as its own process and the real agent
 * bundle (server mode, linux driver, wireguard-go) in a throwaway network namespace. Prints:
 *
 * 1. creating the users, rules and devices through the API (16 requests in flight), and the
 *    converge from empty: `run` started against a server that holds them all, until the agent
 *    logs `applied revision N` of the revision the server wants; with wg0's peer count and the
 *    nft map elements and user chains as proof;
 * 2. one device added: POST → the agent's `applied revision` line (median of 5), against the
 *    naive ways measured in the same namespace: the whole config through `wg syncconf`
 *    (wg-easy) and one `wg set` per peer;
 * 3. one stats cycle for a metrics frame of N peers: the zod parse and recordDeviceStats on the
 *    server's own database, against one JSON document per sample in `metrics` (the old way);
 * 4. p50/p99 of listing devices through the API, by page and by user;
 * 5. the server's (and agent's) RSS at the end.
 *
 * Needs root, `ip netns`, nft, wg, wireguard-go and the build (`npm run build`). Everything it
 * makes (namespace, veth, processes, temp dir, PostgreSQL database) is removed at the end, also
 * after a failure or Ctrl-C.
 *
 *   npx tsx bench/devices.ts [--devices 10000] [--users 1000] [--database-url postgres://…]
 *
 * --database-url is a role allowed to create databases: a throwaway one is made and dropped.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { AgentMessage, type MetricsSample } from '@wirewarp/protocol'
import pg from 'pg'
import { ensureWgInterface } from '../apps/agent/src/apply/wgInterface.ts'
import { CommandFailed, createRunner, type Run } from '../apps/agent/src/exec/run.ts'
import { type WgKeyPair, wgPublicKey } from '../apps/agent/src/wireguardKeys.ts'
import { type Db, openDatabase } from '../apps/server/src/db/database.ts'
import { recordDeviceStats, TRAFFIC_BUCKET_MS } from '../apps/server/src/store/deviceStats.ts'
import { insertMetrics } from '../apps/server/src/store/metrics.ts'

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '10000' },
    users: { type: 'string', default: '1000' },
    'database-url': { type: 'string' },
  },
})
const N = Number(values.devices)
const USERS = Math.min(Number(values.users), N)
const ADMIN_PG_URL = values['database-url']
if (!Number.isInteger(N) || N < 10 || !Number.isInteger(USERS) || USERS < 1)
  throw new Error('--devices must be ≥ 10 and --users ≥ 1')

const MAIN = path.resolve('apps/server/dist/main.js')
const AGENT_BIN = path.resolve('apps/agent/dist/wirewarp-agent.js')
const ADMIN = { email: 'bench@example.com', password: 'bench password 123' }
const USER_PASSWORD = 'bench user password 456'
const IN_FLIGHT = 16
const RULES_PER_USER = 3
const ADDS = 5
const STATS_REPEATS = 5
const LIST_REQUESTS = 200
/** The agent reports metrics this rarely during the run, so its own 10,000-peer samples do not land in the timings. */
const AGENT_METRICS_SECONDS = 3600
const WG_IF = 'wg0'
const NAIVE_IF = 'wg1'

const host = createRunner({ timeoutMs: 30_000 })

// ---------------------------------------------------------------------------------------------
// Measuring and printing (as bench/dataplane.ts)

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN
}

const int = new Intl.NumberFormat('en-US')

function ms(x: number): string {
  return x < 10 ? `${x.toFixed(1)} ms` : `${int.format(Math.round(x))} ms`
}

function secs(x: number): string {
  return `${(x / 1000).toFixed(1)} s`
}

function ratio(naive: number, ours: number): string {
  const r = naive / ours
  if (r < 0.1) return `${r.toFixed(2)}×`
  return r < 10 ? `${r.toFixed(1)}×` : `${int.format(Math.round(r))}×`
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** Right-aligned columns, except those named in `left`. */
function table(head: string[], rows: string[][], left: number[] = [0]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(head), ...rows.map(line)].join('\n')
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now()
  const value = await fn()
  return { ms: performance.now() - start, value }
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let i = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (i < items.length) {
        const k = i++
        out[k] = await fn(items[k]!, k)
      }
    }),
  )
  return out
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : Number.NaN
}

/** A WireGuard key pair clamped as `wg genkey` does (see bench/dataplane.ts for why not generateWgKeyPair). */
function randomWgKeyPair(): WgKeyPair {
  const raw = randomBytes(32)
  raw[0] = raw[0]! & 248
  raw[31] = (raw[31]! & 127) | 64
  const privateKey = raw.toString('base64')
  return { privateKey, publicKey: wgPublicKey(privateKey) }
}

// ---------------------------------------------------------------------------------------------
// The namespace: a "VPS" linked to the root namespace by a veth pair, where the server listens

/**
 * Namespace `ww-bdev-<random>` with `eth0` (the VPS's public interface) paired with a root
 * namespace link, and a holder process with a private tmpfs on /var/run/wireguard (wireguard-go's
 * socket directory is shared by all namespaces). The agent, its wireguard-go and every `wg`/`nft`
 * of the benchmark run in the holder's network and mount namespaces.
 */
class VpsNamespace {
  readonly id = randomBytes(4).toString('hex')
  readonly name = `ww-bdev-${this.id}`
  readonly rootLink = `wwbd${this.id}`
  /** A /30 of TEST-NET-2: the root namespace's end (the control server) and the VPS's. */
  readonly net = 200 + 4 * randomInt(0, 12)
  readonly serverAddress = `198.51.100.${this.net + 1}`
  readonly vpsAddress = `198.51.100.${this.net + 2}`
  private holder: ChildProcess | null = null
  private created = false
  private removal: Promise<void> | null = null
  run: Run = () => Promise.reject(new Error('the namespace is not up'))

  get holderPid(): number {
    if (!this.holder?.pid) throw new Error('the namespace is not up')
    return this.holder.pid
  }

  async create(): Promise<void> {
    const taken = await host(['ip', '-br', 'addr'])
    if (taken.includes(`198.51.100.${this.net + 1}/`) || taken.includes(`198.51.100.${this.net + 2}/`))
      throw new Error(`198.51.100.${this.net}/30 is in use here; run again`)
    await host(['ip', 'netns', 'add', this.name])
    this.created = true
    await host(['ip', 'link', 'add', this.rootLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.name])
    await host(['ip', 'addr', 'add', `${this.serverAddress}/30`, 'dev', this.rootLink])
    await host(['ip', 'link', 'set', this.rootLink, 'up'])
    await host(['ip', '-n', this.name, 'addr', 'add', `${this.vpsAddress}/30`, 'dev', 'eth0'])
    await host(['ip', '-n', this.name, 'link', 'set', 'lo', 'up'])
    await host(['ip', '-n', this.name, 'link', 'set', 'eth0', 'up'])
    await host(['ip', '-n', this.name, 'route', 'add', 'default', 'via', this.serverAddress])
    const holder = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.name,
        'unshare',
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mkdir -p /var/run/wireguard && mount -t tmpfs tmpfs /var/run/wireguard && echo ready && exec sleep infinity',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    this.holder = holder
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject)
      holder.once('exit', (code) => reject(new Error(`the namespace holder exited (${code})`)))
      holder.stdout!.once('data', () => resolve())
    })
    this.run = createRunner({ prefix: this.enter(), timeoutMs: 120_000 })
  }

  /** The argv prefix that runs a command in the holder's network and mount namespaces. */
  enter(): string[] {
    return ['nsenter', '-t', String(this.holderPid), '-m', '-n']
  }

  remove(): Promise<void> {
    this.removal ??= this.removeOnce()
    return this.removal
  }

  private async removeOnce(): Promise<void> {
    if (!this.created) return
    for (const link of [WG_IF, NAIVE_IF])
      await host(['ip', '-n', this.name, 'link', 'del', 'dev', link]).catch(() => {})
    const holder = this.holder
    if (holder && holder.exitCode === null && holder.signalCode === null) {
      const exited = new Promise((resolve) => holder.once('exit', resolve))
      holder.kill('SIGTERM')
      await Promise.race([exited, sleep(2000)])
    }
    // Whatever still runs in the namespace was started by this run (the agent, wireguard-go).
    for (let attempt = 0; attempt < 30; attempt++) {
      const pids = (await host(['ip', 'netns', 'pids', this.name]).catch(() => ''))
        .split('\n')
        .map((l) => Number(l.trim()))
        .filter((p) => Number.isInteger(p) && p > 0)
      if (pids.length === 0) break
      for (const pid of pids) {
        try {
          process.kill(pid, attempt < 10 ? 'SIGTERM' : 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
      await sleep(100)
    }
    // Deleting the namespace deletes its end of the veth, and with it the root end.
    await host(['ip', 'netns', 'del', this.name])
    await host(['ip', 'link', 'del', this.rootLink]).catch(() => {})
    this.created = false
  }
}

/** Arguments xargs passes on unchanged: no blanks, quotes or backslashes. */
const PLAIN_ARG = /^[A-Za-z0-9+/=:.,_-]+$/

/** Runs `program` once per line of arguments from one `xargs` inside the namespace (as a shell loop would). */
async function runEach(run: Run, program: string, argLines: string[][]): Promise<void> {
  for (const arg of argLines.flat()) if (!PLAIN_ARG.test(arg)) throw new Error(`xargs would split or unquote "${arg}"`)
  const stdin = argLines.map((args) => `${args.join(' ')}\n`).join('')
  await run(['xargs', '--no-run-if-empty', '-L', '1', program], { stdin, timeoutMs: 900_000 })
}

// ---------------------------------------------------------------------------------------------
// The control server and the API

class ControlServer {
  child: ChildProcess | null = null
  url = ''
  private stopped: Promise<void> | null = null

  async start(dataDir: string, listenAddress: string, databaseUrl: string | undefined): Promise<void> {
    const env = {
      ...process.env,
      PORT: '0',
      HOST: listenAddress,
      WIREWARP_DATA_DIR: dataDir,
      WIREWARP_ADMIN_EMAIL: ADMIN.email,
      WIREWARP_ADMIN_PASSWORD: ADMIN.password,
      // info: the "listening on" line is how the URL is learnt; the rest of stdout is dropped.
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl ?? '',
    }
    if (!databaseUrl) delete (env as Record<string, string | undefined>).DATABASE_URL
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    this.child = child
    this.url = await new Promise<string>((resolve, reject) => {
      let out = ''
      const onData = (d: Buffer) => {
        out += d
        const m = /listening on (http:\/\/[0-9.]+:\d+)/.exec(out)
        if (m) {
          child.stdout!.off('data', onData)
          child.stdout!.resume()
          resolve(m[1]!)
        }
      }
      child.stdout!.on('data', onData)
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${out.slice(-2000)}`)))
    })
  }

  stop(): Promise<void> {
    this.stopped ??= stopChild(this.child)
    return this.stopped
  }
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  if ((await Promise.race([exited.then(() => true), sleep(5000).then(() => false)])) === false) {
    child.kill('SIGKILL')
    await exited
  }
}

class Api {
  constructor(
    readonly url: string,
    readonly cookie: string,
  ) {}

  static async signIn(url: string): Promise<Api> {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify(ADMIN),
    })
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('wirewarp_session='))
    if (!cookie) throw new Error('sign-in set no session cookie')
    return new Api(url, cookie.split(';')[0]!)
  }

  async call<T>(method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(this.url + p, {
      method,
      headers: {
        cookie: this.cookie,
        ...(method !== 'GET' ? { origin: this.url } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(120_000),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`)
    return (text ? JSON.parse(text) : null) as T
  }
}

interface AgentView {
  status: string
  desiredRevision: number
  appliedRevision: number
  lastApplyError: string | null
}

// ---------------------------------------------------------------------------------------------
// The agent

const APPLIED = /applied revision (\d+) in (\d+) ms/

/** The agent bundle's `run` in the namespace, its log lines (stderr) read as they come. */
class AgentProcess {
  child: ChildProcess | null = null
  readonly lines: { at: number; text: string }[] = []
  private waiters: {
    test: (l: string) => boolean
    resolve: (at: number, l: string) => void
    reject: (err: Error) => void
  }[] = []
  private stopped: Promise<void> | null = null

  start(ns: VpsNamespace, config: string): number {
    const started = performance.now()
    const child = spawn(
      ns.enter()[0]!,
      [...ns.enter().slice(1), process.execPath, AGENT_BIN, 'run', '--config', config],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    this.child = child
    let rest = ''
    const onData = (d: Buffer) => {
      const at = performance.now()
      rest += d.toString()
      const parts = rest.split('\n')
      rest = parts.pop()!
      for (const text of parts) {
        this.lines.push({ at, text })
        this.waiters = this.waiters.filter((w) => {
          if (!w.test(text)) return true
          w.resolve(at, text)
          return false
        })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code, signal) => {
      const err = new Error(`the agent exited (${code ?? signal}):\n${this.tail()}`)
      for (const w of this.waiters.splice(0)) w.reject(err)
    })
    return started
  }

  /** The first line from now on that passes `test`: when it was read, and the line. */
  next(test: (line: string) => boolean, timeoutMs: number): Promise<{ at: number; line: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the agent logged no matching line in ${timeoutMs} ms:\n${this.tail()}`)),
        timeoutMs,
      )
      this.waiters.push({
        test,
        resolve: (at, line) => {
          clearTimeout(timer)
          resolve({ at, line })
        },
        reject: (err) => {
          clearTimeout(timer)
          reject(err)
        },
      })
    })
  }

  /** The next `applied revision R in M ms` with R ≥ `revision`. */
  async applied(revision: number, timeoutMs: number): Promise<{ at: number; revision: number; agentMs: number }> {
    const { at, line } = await this.next((l) => {
      const m = APPLIED.exec(l)
      return m !== null && Number(m[1]) >= revision
    }, timeoutMs)
    const m = APPLIED.exec(line)!
    return { at, revision: Number(m[1]), agentMs: Number(m[2]) }
  }

  lastApplied(): number {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const m = APPLIED.exec(this.lines[i]!.text)
      if (m) return Number(m[1])
    }
    return 0
  }

  tail(n = 20): string {
    return this.lines
      .slice(-n)
      .map((l) => l.text)
      .join('\n')
  }

  stop(): Promise<void> {
    this.stopped ??= stopChild(this.child)
    return this.stopped
  }
}

// ---------------------------------------------------------------------------------------------
// Data-plane inspection

async function wgPeerCount(run: Run, dev: string): Promise<number> {
  return (await run(['wg', 'show', dev, 'peers'])).split('\n').filter((l) => l.trim() !== '').length
}

async function mapElements(run: Run, name: string): Promise<number> {
  try {
    const json = JSON.parse(await run(['nft', '-j', 'list', 'map', 'inet', 'wirewarp', name])) as {
      nftables: { map?: { elem?: unknown[] } }[]
    }
    return json.nftables.reduce((sum, item) => sum + (item.map?.elem?.length ?? 0), 0)
  } catch (err) {
    if (err instanceof CommandFailed) return 0
    throw err
  }
}

async function userChains(run: Run): Promise<number> {
  const json = JSON.parse(await run(['nft', '-j', 'list', 'chains', 'inet'])) as {
    nftables: { chain?: { table: string; name: string } }[]
  }
  return json.nftables.filter((i) => i.chain?.table === 'wirewarp' && i.chain.name.startsWith('u_')).length
}

// ---------------------------------------------------------------------------------------------
// Cleanup

const ns = new VpsNamespace()
const server = new ControlServer()
const agent = new AgentProcess()
let tempDir: string | null = null
let pgDatabase: string | null = null
let benchDb: Db | null = null
let cleanup: Promise<void> | null = null

async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_PG_URL })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

function removeAll(): Promise<void> {
  cleanup ??= (async () => {
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn()
      } catch (err) {
        console.error(`cleanup: ${what}: ${(err as Error).message}`)
      }
    }
    await step('database handle', async () => benchDb?.destroy())
    await step('agent', () => agent.stop())
    await step('namespace', () => ns.remove())
    await step('server', () => server.stop())
    if (tempDir) await step('temp dir', () => rm(tempDir!, { recursive: true, force: true }))
    if (pgDatabase)
      await step('database', () => pgAdmin((c) => c.query(`drop database if exists ${pgDatabase} with (force)`)))
  })()
  return cleanup
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the benchmark makes a network namespace')
  for (const f of [MAIN, AGENT_BIN]) if (!existsSync(f)) throw new Error(`${f} is missing: npm run build first`)
  const started = performance.now()
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ww-bench-devices-'))
  tempDir = dir

  let databaseUrl: string | undefined
  if (ADMIN_PG_URL) {
    pgDatabase = `wirewarp_bench_${randomBytes(6).toString('hex')}`
    await pgAdmin((c) => c.query(`create database ${pgDatabase}`))
    const u = new URL(ADMIN_PG_URL)
    u.pathname = `/${pgDatabase}`
    databaseUrl = u.toString()
  }

  await ns.create()
  const dataDir = path.join(dir, 'server')
  await server.start(dataDir, ns.serverAddress, databaseUrl)
  const api = await Api.signIn(server.url)
  const cpus = os.cpus()
  console.log(
    `machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, Linux ${os.release()}, Node ${process.version}; ` +
      `database: ${databaseUrl ? 'PostgreSQL' : 'SQLite'}`,
  )
  console.log(
    `devices: ${int.format(N)} on one tunnel server, of ${int.format(USERS)} users, ${RULES_PER_USER} rules each\n`,
  )

  // ---- the tunnel server's agent, registered but not running yet ------------------------------
  const agentHome = path.join(dir, 'agent')
  const config = path.join(agentHome, 'agent.yaml')
  const { token } = await api.call<{ token: string }>('POST', '/api/v1/registration-tokens', {
    kind: 'server',
    name: 'bench-vps',
  })
  const registered = await ns.run(
    [
      process.execPath,
      AGENT_BIN,
      'register',
      '--url',
      server.url,
      '--token',
      token,
      '--mode',
      'server',
      '--name',
      'bench-vps',
      '--config',
      config,
      '--state-dir',
      path.join(agentHome, 'state'),
      '--driver',
      'linux',
      '--interface',
      WG_IF,
    ],
    { timeoutMs: 60_000 },
  )
  const agentId = /as (?:server|client) agent (\S+?)\.?$/m.exec(registered)?.[1]
  if (!agentId) throw new Error(`register printed no agent id:\n${registered}`)
  const yaml = readFileSync(config, 'utf8')
  if (!/^metricsSeconds: \d+$/m.test(yaml)) throw new Error(`${config} has no metricsSeconds line`)
  writeFileSync(config, yaml.replace(/^metricsSeconds: \d+$/m, `metricsSeconds: ${AGENT_METRICS_SECONDS}`), {
    mode: 0o600,
  })
  const servers = await api.call<{ items: { id: string; agentId: string }[] }>(
    'GET',
    '/api/v1/tunnel-servers?limit=100',
  )
  const tunnelServerId = servers.items.find((s) => s.agentId === agentId)?.id
  if (!tunnelServerId) throw new Error(`agent ${agentId} has no tunnel server`)
  await api.call('PATCH', `/api/v1/tunnel-servers/${tunnelServerId}`, {
    publicIp: ns.vpsAddress,
    publicInterface: 'eth0',
  })
  await api.call('PATCH', '/api/v1/settings/vpn', { maxDevicesPerUser: 0 })

  // ---- users, rules, devices through the API --------------------------------------------------
  const createRows: string[][] = []
  const users = await timed(() =>
    pool(
      Array.from({ length: USERS }, (_, i) => i),
      IN_FLIGHT,
      async (i) =>
        (
          await api.call<{ id: string }>('POST', '/api/v1/users', {
            email: `user${i}@example.com`,
            name: `user ${i}`,
            password: USER_PASSWORD,
            role: 'user',
          })
        ).id,
    ),
  )
  createRows.push([
    'users',
    int.format(USERS),
    secs(users.ms),
    `${int.format(Math.round(USERS / (users.ms / 1000)))}/s`,
  ])
  const userIds = users.value

  const ruleInputs = userIds.flatMap((userId, u) => [
    { action: 'accept', destination: `10.${(u >> 8) & 255}.${u & 255}.0/24`, protocol: 'tcp', ports: '443', userId },
    { action: 'drop', destination: `192.168.${u % 256}.0/24`, userId },
    { action: 'accept', destination: '9.9.9.9/32', protocol: 'udp', ports: '53', userId },
  ])
  const rules = await timed(() =>
    pool(ruleInputs, IN_FLIGHT, (r) => api.call('POST', '/api/v1/rules', { ...r, tunnelServerId })),
  )
  createRows.push([
    'rules',
    int.format(ruleInputs.length),
    secs(rules.ms),
    `${int.format(Math.round(ruleInputs.length / (rules.ms / 1000)))}/s`,
  ])

  const deviceKeys = Array.from({ length: N }, () => randomWgKeyPair().publicKey)
  const devices = await timed(() =>
    pool(deviceKeys, IN_FLIGHT, async (publicKey, i) => {
      const d = await api.call<{ id: string; ipv4: string }>('POST', '/api/v1/devices', {
        name: `device ${i}`,
        tunnelServerId,
        publicKey,
        userId: userIds[i % USERS],
      })
      return { ...d, publicKey }
    }),
  )
  createRows.push(['devices', int.format(N), secs(devices.ms), `${int.format(Math.round(N / (devices.ms / 1000)))}/s`])
  console.log(`setup through the API (POST, ${IN_FLIGHT} requests in flight; the agent is not connected yet)`)
  console.log(table(['created', 'count', 'took', 'rate'], createRows))

  // ---- 1. converge from empty ------------------------------------------------------------------
  const before = await api.call<AgentView>('GET', `/api/v1/agents/${agentId}`)
  const connected = agent.next((l) => l.includes('connected to '), 120_000)
  const startedAt = agent.start(ns, config)
  const connectedAt = (await connected).at
  const converged = await agent.applied(before.desiredRevision, 600_000)
  let view = await api.call<AgentView>('GET', `/api/v1/agents/${agentId}`)
  for (let i = 0; i < 200 && view.appliedRevision !== view.desiredRevision; i++) {
    await sleep(25)
    view = await api.call<AgentView>('GET', `/api/v1/agents/${agentId}`)
  }
  if (view.appliedRevision !== view.desiredRevision)
    throw new Error(`the agent applied ${view.appliedRevision}, the server wants ${view.desiredRevision}`)
  const peers = await wgPeerCount(ns.run, WG_IF)
  const elements4 = await mapElements(ns.run, 'device_users4')
  const elements6 = await mapElements(ns.run, 'device_users6')
  const chains = await userChains(ns.run)
  const stateFile = path.join(agentHome, 'state', 'state.json')
  const stateBytes = existsSync(stateFile) ? readFileSync(stateFile).length : Number.NaN
  if (peers !== N) throw new Error(`wg0 has ${peers} peers, expected ${N}`)
  if (elements4 + elements6 < N)
    throw new Error(`the device maps hold ${elements4 + elements6} elements, expected ${N}`)
  const total = converged.at - startedAt
  const hubPart = converged.at - connectedAt - converged.agentMs
  console.log(
    `\n1. converge from empty: \`wirewarp-agent run\` (linux driver, wireguard-go) started against a server ` +
      `holding ${int.format(N)} devices,\n   until it logs "applied revision ${converged.revision}" ` +
      `(the server's desired revision; the API then shows applied = desired)`,
  )
  console.log(
    table(
      ['step', 'time'],
      [
        ['start → connected (process start, hello, welcome)', ms(connectedAt - startedAt)],
        ['connected → state received (hub computes and sends)', ms(hubPart)],
        ['agent apply (its log: save state, nft, wg syncconf, routes)', ms(converged.agentMs)],
        ['total: start → applied', ms(total)],
      ],
    ),
  )
  console.log(
    table(
      ['proof', 'count'],
      [
        ['`wg show wg0 peers | wc -l`', int.format(peers)],
        ['nft map device_users4 elements', int.format(elements4)],
        ['nft map device_users6 elements', int.format(elements6)],
        ['nft user chains (u_…)', int.format(chains)],
        ['desired state saved by the agent', mib(stateBytes)],
      ],
    ),
  )

  // ---- 2. one device added --------------------------------------------------------------------
  const adds: { api: number; applied: number; agentMs: number; revision: number }[] = []
  const addedKeys: string[] = []
  for (let k = 0; k < ADDS; k++) {
    const publicKey = randomWgKeyPair().publicKey
    const last = agent.lastApplied()
    const t0 = performance.now()
    const waiting = agent.applied(last + 1, 120_000)
    await api.call('POST', '/api/v1/devices', {
      name: `added ${k}`,
      tunnelServerId,
      publicKey,
      userId: userIds[k % USERS],
    })
    const answered = performance.now()
    const got = await waiting
    adds.push({ api: answered - t0, applied: got.at - t0, agentMs: got.agentMs, revision: got.revision })
    addedKeys.push(publicKey)
    const v = await api.call<AgentView>('GET', `/api/v1/agents/${agentId}`)
    if (v.appliedRevision < got.revision) await sleep(50)
    if (!(await ns.run(['wg', 'show', WG_IF, 'peers'])).includes(publicKey))
      throw new Error(`added device ${k} is not a peer of wg0 after revision ${got.revision}`)
    await sleep(200)
  }
  const ourAdd = median(adds.map((a) => a.applied))
  const ourAgentAdd = median(adds.map((a) => a.agentMs))

  // The naive ways, on their own wireguard-go interface in the same namespace, holding the same peers.
  const kind = await ensureWgInterface(ns.run, NAIVE_IF, null)
  const naivePrivate = randomWgKeyPair().privateKey
  const confPeers = deviceKeys.map((k, i) => ({ publicKey: k, ip: devices.value[i]!.ipv4 }))
  const renderConf = (ps: { publicKey: string; ip: string }[]) =>
    `[Interface]\nPrivateKey = ${naivePrivate}\nListenPort = 51821\n\n${ps
      .map((p) => `[Peer]\nPublicKey = ${p.publicKey}\nAllowedIPs = ${p.ip}/32\n`)
      .join('\n')}`
  const confFile = path.join(dir, 'naive-wg1.conf')
  await writeFile(confFile, renderConf(confPeers), { mode: 0o600 })
  await ns.run(['wg', 'syncconf', NAIVE_IF, confFile])
  const syncconfRuns: number[] = []
  for (let k = 0; k < ADDS; k++) {
    confPeers.push({ publicKey: randomWgKeyPair().publicKey, ip: `100.97.0.${10 + k}` })
    const t = await timed(async () => {
      await writeFile(confFile, renderConf(confPeers), { mode: 0o600 })
      await ns.run(['wg', 'syncconf', NAIVE_IF, confFile])
    })
    syncconfRuns.push(t.ms)
  }
  await rm(confFile, { force: true })
  confPeers.push({ publicKey: randomWgKeyPair().publicKey, ip: '100.97.0.100' })
  const perPeerSet = await timed(() =>
    runEach(
      ns.run,
      'wg',
      confPeers.map((p) => ['set', NAIVE_IF, 'peer', p.publicKey, 'allowed-ips', `${p.ip}/32`]),
    ),
  )
  const naivePeers = await wgPeerCount(ns.run, NAIVE_IF)
  if (naivePeers !== confPeers.length) throw new Error(`wg1 has ${naivePeers} peers, expected ${confPeers.length}`)
  await ns.run(['ip', 'link', 'del', 'dev', NAIVE_IF])
  const naiveSyncconf = median(syncconfRuns)

  console.log(
    `\n2. one device added with ${int.format(N)} on the server: POST /api/v1/devices → the agent logs it applied ` +
      `(median of ${ADDS}; target 20 ms)`,
  )
  console.log(
    table(
      ['run', 'POST answered', 'agent apply (its log)', 'POST → applied', 'revision'],
      adds.map((a, i) => [String(i + 1), ms(a.api), ms(a.agentMs), ms(a.applied), String(a.revision)]),
    ),
  )
  console.log(
    `naive, data plane only (${kind === 'userspace' ? 'wireguard-go' : 'kernel'} ${NAIVE_IF} with the same ` +
      `${int.format(N)} peers, same namespace):`,
  )
  console.log(
    table(
      ['way', 'time', 'naive ÷ ours'],
      [
        [`ours: POST → applied (median)`, ms(ourAdd), '1.0×'],
        [`ours: the agent's apply alone (its log, median)`, ms(ourAgentAdd), ratio(ourAgentAdd, ourAdd)],
        [
          `whole config + \`wg syncconf\` of ${int.format(N + 1)} peers (wg-easy; median of ${ADDS})`,
          ms(naiveSyncconf),
          ratio(naiveSyncconf, ourAdd),
        ],
        [
          `one \`wg set\` per peer, ${int.format(confPeers.length)} peers (once)`,
          ms(perPeerSet.ms),
          ratio(perPeerSet.ms, ourAdd),
        ],
      ],
    ),
  )
  console.log(
    'naive ÷ ours below 1×: the naive way is faster. The naive rows are data-plane commands only (no API, database\n' +
      'or hub); ours is the whole path: API, transaction, the hub computing and sending the whole state, the agent saving\n' +
      'and applying it (nft table reload, wg diff)',
  )
  console.log(
    `target 20 ms: ${ourAdd <= 20 ? 'met' : 'missed'} (${ms(ourAdd)}); wg-easy 15 was measured at 117 ms with no clients, 516 ms with 1,000`,
  )

  // ---- 3. one stats cycle --------------------------------------------------------------------
  const opened = openDatabase({ databaseUrl, dataDir })
  benchDb = opened.db
  const db = opened.db
  const now = Date.now()
  const sample: MetricsSample = {
    cpu: 0.12,
    memoryUsedBytes: 512 * 1024 * 1024,
    memoryTotalBytes: 2048 * 1024 * 1024,
    load: [0.3, 0.2, 0.1],
    uptimeSeconds: 86_400,
    interfaces: [
      { name: 'eth0', rxBytes: 1e9, txBytes: 2e9, rxPackets: 1e6, txPackets: 2e6 },
      { name: WG_IF, rxBytes: 5e8, txBytes: 6e8, rxPackets: 5e5, txPackets: 6e5 },
    ],
    peers: deviceKeys.map((publicKey, i) => ({
      publicKey,
      endpoint: i % 3 === 0 ? null : `203.0.113.${i % 250}:${1024 + (i % 60_000)}`,
      latestHandshakeAt: i % 3 === 0 ? null : new Date(now - (i % 600) * 1000).toISOString(),
      rxBytes: randomInt(0, 2 ** 40),
      txBytes: randomInt(0, 2 ** 40),
    })),
  }
  const frame = JSON.stringify({ type: 'metrics', at: new Date(now).toISOString(), sample })
  const parseRuns: number[] = []
  for (let i = 0; i < STATS_REPEATS; i++) {
    const t0 = performance.now()
    const msg = AgentMessage.parse(JSON.parse(frame))
    parseRuns.push(performance.now() - t0)
    if (msg.type !== 'metrics' || msg.sample.peers?.length !== N) throw new Error('the frame did not parse back')
  }
  const newBucket: number[] = []
  const sameBucket: number[] = []
  const restInsert: number[] = []
  for (let i = 0; i < STATS_REPEATS; i++) {
    // A bucket of its own each time: the first report in a bucket also writes the traffic history.
    const at = new Date(now + (i + 1) * TRAFFIC_BUCKET_MS)
    const first = await timed(() => recordDeviceStats(db, tunnelServerId, sample.peers!, at))
    if (first.value.length !== 0) throw new Error(`${first.value.length} peers were not taken for devices`)
    newBucket.push(first.ms)
    sameBucket.push(
      (await timed(() => recordDeviceStats(db, tunnelServerId, sample.peers!, new Date(at.getTime() + 30_000)))).ms,
    )
    restInsert.push(
      (await timed(() => insertMetrics(db, agentId, at.toISOString(), { ...sample, peers: first.value }))).ms,
    )
  }
  const naiveInsert: number[] = []
  const naiveJson = JSON.stringify(sample)
  for (let i = 0; i < STATS_REPEATS; i++)
    naiveInsert.push((await timed(() => insertMetrics(db, agentId, new Date(now + i).toISOString(), sample))).ms)
  const parse = median(parseRuns)
  const ourSame = median(sameBucket) + median(restInsert)
  const ourNew = median(newBucket) + median(restInsert)
  const naive = median(naiveInsert)
  const samplesPerDay = 86_400 / 30
  console.log(
    `\n3. one stats cycle: a metrics frame of ${int.format(N)} peers (${mib(frame.length)}), against the server's ` +
      `${databaseUrl ? 'PostgreSQL' : 'SQLite file'} (median of ${STATS_REPEATS})`,
  )
  console.log(
    table(
      ['step', 'ours', 'naive', 'ratio'],
      [
        ['JSON.parse + AgentMessage.parse (zod)', ms(parse), ms(parse), '1.0×'],
        [
          'write, first report in a 5-min bucket (device_stats upsert + device_traffic rows)',
          ms(ourNew),
          ms(naive),
          ratio(naive, ourNew),
        ],
        [
          'write, later report in the bucket (device_stats upsert; traffic unchanged)',
          ms(ourSame),
          ms(naive),
          ratio(naive, ourSame),
        ],
        ['parse + write (later report)', ms(parse + ourSame), ms(parse + naive), ratio(parse + naive, parse + ourSame)],
      ],
    ),
  )
  console.log(
    `naive = insertMetrics with the whole sample: one ${mib(naiveJson.length)} JSON document per sample in \`metrics\`, ` +
      `${mib(naiveJson.length * samplesPerDay)} a day at one sample per 30 s;\nours = recordDeviceStats, then ` +
      `insertMetrics with the peers that are not devices (none here): ${int.format(N)} device_stats rows kept, ` +
      `${int.format(N * 288)} device_traffic rows a day (ratio = naive ÷ ours: below 1× the naive way is faster)`,
  )

  // ---- 4. listing devices ----------------------------------------------------------------------
  const total2 = N + ADDS
  const listPage: number[] = []
  for (let i = 0; i < LIST_REQUESTS; i++) {
    const offset = randomInt(0, Math.max(1, total2 - 50))
    const t = await timed(() =>
      api.call<{ items: unknown[]; total: number }>('GET', `/api/v1/devices?limit=50&offset=${offset}`),
    )
    if (t.value.total !== total2) throw new Error(`the list says ${t.value.total} devices, expected ${total2}`)
    listPage.push(t.ms)
  }
  const listUser: number[] = []
  for (let i = 0; i < LIST_REQUESTS; i++) {
    const userId = userIds[randomInt(0, USERS)]!
    const t = await timed(() => api.call<{ items: unknown[] }>('GET', `/api/v1/devices?limit=50&userId=${userId}`))
    if (t.value.items.length === 0) throw new Error(`user ${userId} has no devices`)
    listUser.push(t.ms)
  }
  console.log(`\n4. listing devices through the API, ${LIST_REQUESTS} requests each, one at a time`)
  console.log(
    table(
      ['request', 'p50', 'p99', 'max'],
      [
        [
          'GET /api/v1/devices?limit=50&offset=<random>',
          ms(percentile(listPage, 50)),
          ms(percentile(listPage, 99)),
          ms(Math.max(...listPage)),
        ],
        [
          'GET /api/v1/devices?limit=50&userId=<random>',
          ms(percentile(listUser, 50)),
          ms(percentile(listUser, 99)),
          ms(Math.max(...listUser)),
        ],
      ],
    ),
  )

  // ---- 5. memory -------------------------------------------------------------------------------
  const serverPid = server.child!.pid!
  const agentPid = agent.child!.pid!
  console.log('\n5. memory after all of that (/proc/PID/status)')
  console.log(
    table(
      ['process', 'VmRSS', 'VmHWM (peak)'],
      [
        ['server', mib(procStatus(serverPid, 'VmRSS')), mib(procStatus(serverPid, 'VmHWM'))],
        ['agent', mib(procStatus(agentPid, 'VmRSS')), mib(procStatus(agentPid, 'VmHWM'))],
      ],
    ),
  )
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: removing ${ns.name} and everything else this run made`)
    removeAll().finally(() => process.exit(130))
  })

try {
  await main()
} catch (err) {
  console.error((err as Error).stack ?? String(err))
  process.exitCode = 1
} finally {
  await removeAll()
}
