/**
 * Times the agent's data-plane appliers against the naive per-rule way, on a real kernel inside a
 * throwaway network namespace, and prints each pair with its ratio:
 *
 * 1. port forwards: our `nft -f -` replacing `table inet wirewarp` vs one `iptables -C` (and `-A`
 *    when missing) per DNAT and FORWARD rule, as the seed's Go agent and legacy scripts do;
 * 2. WireGuard peers (wireguard-go): our applyWgConfig (`wg syncconf`, or a `wg set` diff for a
 *    small change) vs one `wg set … peer KEY allowed-ips IP/32` per peer, every time.
 *
 * Our side calls the agent's own renderers and appliers with the driver's command runner (from
 * Node, through nsenter). The naive side's thousands of commands start from one xargs inside the
 * namespace (runEach), as cheaply as a shell loop would start them. Needs root, `ip netns`, nft,
 * iptables, wg and wireguard-go. Everything it makes (namespace, holder, wireguard-go) is removed
 * at the end, also after a failure or Ctrl-C.
 *
 *   npx tsx bench/dataplane.ts [--quick]     (--quick: 10 and 100 forwards, 1,000 peers)
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import {
  EMPTY_VPN_STATE,
  type ForwardState,
  type ServerState,
  type WgInterfaceState,
  type WgPeer,
} from '@wirewarp/protocol'
import { applyWgConfig } from '../apps/agent/src/apply/applyWgConfig.ts'
import { loadNftRuleset, readNftCounters } from '../apps/agent/src/apply/nftTable.ts'
import { parseWgDump } from '../apps/agent/src/apply/wgDump.ts'
import { ensureWgInterface, type WireguardKind, wireguardInterfaces } from '../apps/agent/src/apply/wgInterface.ts'
import { CommandFailed, createRunner, type Run } from '../apps/agent/src/exec/run.ts'
import { expandForwards } from '../apps/agent/src/render/forwardPorts.ts'
import { renderNftRemoval } from '../apps/agent/src/render/nftText.ts'
import { renderServerRuleset } from '../apps/agent/src/render/renderServerRuleset.ts'
import { type WgKeyPair, wgPublicKey } from '../apps/agent/src/wireguardKeys.ts'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const FORWARD_COUNTS = values.quick ? [10, 100] : [10, 100, 1000]
const PEER_COUNTS = values.quick ? [1000] : [1000, 10_000]
/** Our applies are cheap, so each is timed this often and the median shown; naive runs once. */
const OUR_REPEATS = 5

const PUBLIC_IF = 'eth0'
const WG_IF = 'wg0'
const LISTEN_PORT = 51820

const host = createRunner({ timeoutMs: 10_000 })

// ---------------------------------------------------------------------------------------------
// Inputs

/**
 * N forwards in a fixed mix, per ten: six tcp single ports, two udp, one tcp+udp, and one
 * ten-port range (tcp and udp alternately) onto the same ports, so iptables needs one rule for it.
 */
function makeForwards(n: number): ForwardState[] {
  const out: ForwardState[] = []
  let port = 10_000
  for (let i = 0; i < n; i++) {
    const slot = i % 10
    const destinationIp = slot % 2 === 0 ? `10.100.0.${2 + (i % 50)}` : `192.168.${i % 200}.${10 + (i % 100)}`
    const range = slot === 9
    const publicPort = port
    port += range ? 10 : 1
    out.push({
      id: `bench-forward-${String(i).padStart(6, '0')}`,
      protocol: slot < 6 ? 'tcp' : slot < 8 ? 'udp' : slot === 8 ? 'both' : i % 20 === 9 ? 'tcp' : 'udp',
      publicPort,
      publicPortEnd: range ? publicPort + 9 : null,
      destinationIp,
      destinationPort: range ? publicPort : 8000 + (i % 100),
      via: '10.100.0.2',
      preserveClientIp: i % 3 === 0,
    })
  }
  return out
}

function serverState(forwards: ForwardState[]): ServerState {
  return {
    mode: 'server',
    epoch: 'bench',
    revision: 1,
    wireguard: { name: WG_IF, addresses: ['10.100.0.1/24'], listenPort: LISTEN_PORT, mtu: 1420, peers: [] },
    publicInterface: PUBLIC_IF,
    publicIp: '198.51.100.1',
    tunnelNetworks: ['10.100.0.0/24'],
    forwards,
    masqueradeSources: ['10.100.0.0/24', '192.168.0.0/16'],
    vpn: EMPTY_VPN_STATE,
  }
}

/**
 * The rules a per-rule script keeps for one forward: per protocol a DNAT in nat PREROUTING and an
 * ACCEPT in filter FORWARD. Each is a table/chain part and a rule part (`-C`/`-A` go between).
 */
function naiveRules(f: ForwardState): { chain: string[]; rule: string[] }[] {
  const protocols = f.protocol === 'both' ? ['tcp', 'udp'] : [f.protocol]
  const dport = f.publicPortEnd === null ? String(f.publicPort) : `${f.publicPort}:${f.publicPortEnd}`
  const width = f.publicPortEnd === null ? 0 : f.publicPortEnd - f.publicPort
  const toPort = width === 0 ? String(f.destinationPort) : `${f.destinationPort}:${f.destinationPort + width}`
  // A range maps onto the same ports (makeForwards), so DNAT without a port keeps each one.
  const to = f.publicPortEnd === null ? `${f.destinationIp}:${f.destinationPort}` : f.destinationIp
  return protocols.flatMap((p) => [
    {
      chain: ['-t', 'nat', 'PREROUTING'],
      rule: ['-i', PUBLIC_IF, '-p', p, '--dport', dport, '-j', 'DNAT', '--to-destination', to],
    },
    {
      chain: ['-t', 'filter', 'FORWARD'],
      rule: ['-i', PUBLIC_IF, '-o', WG_IF, '-p', p, '-d', f.destinationIp, '--dport', toPort, '-j', 'ACCEPT'],
    },
  ])
}

function ipv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/**
 * A WireGuard key pair from node:crypto X25519: random bytes clamped as `wg genkey` does (wireguard-go
 * stores the clamped key, and planWgUpdate compares it with ours), public half by wgPublicKey. Not
 * generateWgKeyPair: thousands of its generateKeyPairSync + JWK exports in a row deadlocked
 * Node 20.20 here, a GC during an export finalising the key-generation job, which then waited for
 * the key's mutex the export held.
 */
function randomWgKeyPair(): WgKeyPair {
  const raw = randomBytes(32)
  raw[0] = raw[0]! & 248
  raw[31] = (raw[31]! & 127) | 64
  const privateKey = raw.toString('base64')
  return { privateKey, publicKey: wgPublicKey(privateKey) }
}

/** 10.64.0.0/10: peer i gets 10.64.0.0 + 2 + i (.1 is the server). */
const PEER_BASE = (10 << 24) | (64 << 16)

function makePeers(n: number): WgPeer[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `peer ${i}`,
    publicKey: randomWgKeyPair().publicKey,
    allowedIps: [`${ipv4(PEER_BASE + 2 + i)}/32`],
    endpoint: null,
    persistentKeepalive: 0,
  }))
}

function wgState(peers: WgPeer[]): WgInterfaceState {
  return { name: WG_IF, addresses: ['10.64.0.1/10'], listenPort: LISTEN_PORT, mtu: 1420, peers }
}

// ---------------------------------------------------------------------------------------------
// Measuring and printing

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

const int = new Intl.NumberFormat('en-US')

function ms(x: number): string {
  return x < 10 ? `${x.toFixed(1)} ms` : `${int.format(Math.round(x))} ms`
}

function ratio(naive: number, ours: number): string {
  const r = naive / ours
  return r < 10 ? `${r.toFixed(1)}×` : `${int.format(Math.round(r))}×`
}

/** Right-aligned columns, except those named in `left`. */
function table(head: string[], rows: string[][], left: number[] = []): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(head), ...rows.map(line)].join('\n')
}

// ---------------------------------------------------------------------------------------------
// The namespace

/**
 * A network namespace `ww-bench-<random>` and a holder process inside it with a private tmpfs on
 * /var/run/wireguard, where wireguard-go puts its control socket: the directory is shared by all
 * namespaces, and the host's (or another test's) `wg0.sock` must not be touched.
 */
class BenchNamespace {
  readonly name = `ww-bench-${randomBytes(4).toString('hex')}`
  private holder: ChildProcess | null = null
  private created = false
  private removal: Promise<void> | null = null
  /** Runs argv in the namespace and the holder's mount namespace. */
  run: Run = () => Promise.reject(new Error('the namespace is not up'))

  async create(): Promise<void> {
    await host(['ip', 'netns', 'add', this.name])
    this.created = true
    await host(['ip', '-n', this.name, 'link', 'set', 'lo', 'up'])
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
    // ip netns exec, unshare and sh all exec: the holder's pid is the process inside both namespaces.
    this.run = createRunner({ prefix: ['nsenter', '-t', String(holder.pid), '-m', '-n'], timeoutMs: 60_000 })
  }

  /** Removes everything: the WireGuard link (which ends wireguard-go), the holder, stray processes, the namespace. */
  remove(): Promise<void> {
    this.removal ??= this.removeOnce()
    return this.removal
  }

  private async removeOnce(): Promise<void> {
    if (!this.created) return
    // `ip -n` needs only the namespace's name, so this works even when the holder is gone.
    await host(['ip', '-n', this.name, 'link', 'del', 'dev', WG_IF]).catch(() => {})
    const holder = this.holder
    if (holder && holder.exitCode === null && holder.signalCode === null) {
      const exited = new Promise((resolve) => holder.once('exit', resolve))
      holder.kill('SIGTERM')
      await Promise.race([exited, sleep(2000)])
    }
    // Whatever still runs in the namespace was started by this run (a wireguard-go in its exit).
    for (let attempt = 0; attempt < 20; attempt++) {
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
    await host(['ip', 'netns', 'del', this.name])
    this.created = false
  }
}

/** Arguments xargs passes on unchanged when it splits a line at blanks: no blanks, quotes or backslashes. */
const PLAIN_ARG = /^[A-Za-z0-9+/=:.,_-]+$/

/**
 * The naive side's command runner: runs `program` once per line of arguments, in order, from one
 * `xargs` inside the namespace, and returns xargs' status (0: every run succeeded; 123: some exited
 * 1-125). That is the per-command cost a shell loop or the seed's Go agent pays. Starting each
 * from Node through nsenter would add the fork and nsenter costs shown in the header to every one
 * of thousands of commands, flattering our side (and taking many minutes on a slow host).
 */
async function runEach(run: Run, program: string, argLines: string[][]): Promise<number> {
  for (const arg of argLines.flat()) if (!PLAIN_ARG.test(arg)) throw new Error(`xargs would split or unquote "${arg}"`)
  const stdin = argLines.map((args) => `${args.join(' ')}\n`).join('')
  try {
    await run(['xargs', '--no-run-if-empty', '-L', '1', program], { stdin, timeoutMs: 900_000 })
    return 0
  } catch (err) {
    if (err instanceof CommandFailed && err.exitCode === 123) return 123
    throw err
  }
}

// ---------------------------------------------------------------------------------------------
// Section 1: port forwards

interface ForwardRow {
  forwards: number
  ports: number
  iptablesRules: number
  ourFirst: number
  ourAgain: number
  naiveFirst: number
  naiveAgain: number
}

/** What the server driver does with its table: read the counters, render, one `nft -f -`. */
async function ourForwardApply(run: Run, state: ServerState): Promise<void> {
  const counters = new Map((await readNftCounters(run)).map((c) => [c.name, c]))
  await loadNftRuleset(run, renderServerRuleset({ state, publicInterface: PUBLIC_IF, counters }))
}

/**
 * The per-rule script: `iptables -C` each rule, and `-A` it when the check fails. On the two hosts
 * measured its commands are known beforehand (over empty chains every check fails and every rule
 * is appended; over complete ones every check succeeds and nothing is appended), so they run as
 * one stream (runEach), and xargs' status and the rule count afterwards confirm the outcome.
 */
async function naiveForwardApply(run: Run, forwards: ForwardState[], chains: 'empty' | 'complete'): Promise<void> {
  const lines = forwards.flatMap(naiveRules).flatMap(({ chain, rule }) => {
    const [tableFlag, tableName, chainName] = chain as [string, string, string]
    const check = [tableFlag, tableName, '-C', chainName, ...rule]
    return chains === 'empty' ? [check, [tableFlag, tableName, '-A', chainName, ...rule]] : [check]
  })
  const status = await runEach(run, 'iptables', lines)
  // 123: some command exited 1, which every `-C` over empty chains does.
  const expected = chains === 'empty' && lines.length > 0 ? 123 : 0
  if (status !== expected) throw new Error(`the iptables run ended with xargs status ${status}, expected ${expected}`)
}

async function countIptablesRules(run: Run): Promise<number> {
  const nat = await run(['iptables', '-t', 'nat', '-S', 'PREROUTING'])
  const filter = await run(['iptables', '-t', 'filter', '-S', 'FORWARD'])
  return [nat, filter].flatMap((t) => t.split('\n')).filter((l) => l.startsWith('-A ')).length
}

async function countNftDnatElements(run: Run): Promise<number> {
  let n = 0
  for (const p of ['tcp', 'udp']) {
    const json = JSON.parse(await run(['nft', '-j', 'list', 'map', 'inet', 'wirewarp', `dnat_${p}`])) as {
      nftables: { map?: { elem?: unknown[] } }[]
    }
    n += json.nftables.reduce((sum, item) => sum + (item.map?.elem?.length ?? 0), 0)
  }
  return n
}

async function benchForwards(run: Run, n: number): Promise<ForwardRow> {
  const forwards = makeForwards(n)
  const state = serverState(forwards)
  const ports = expandForwards(forwards).length
  const rules = forwards.flatMap(naiveRules).length

  const ourFirst: number[] = []
  const ourAgain: number[] = []
  for (let i = 0; i < OUR_REPEATS; i++) {
    await loadNftRuleset(run, renderNftRemoval())
    ourFirst.push(await timed(() => ourForwardApply(run, state)))
  }
  for (let i = 0; i < OUR_REPEATS; i++) ourAgain.push(await timed(() => ourForwardApply(run, state)))
  const elements = await countNftDnatElements(run)
  if (elements !== ports) throw new Error(`nft holds ${elements} dnat elements, expected ${ports}`)
  // The naive side gets a host without our table, as a script running alone would.
  await loadNftRuleset(run, renderNftRemoval())

  const expectRules = async (what: string) => {
    const present = await countIptablesRules(run)
    if (present !== rules) throw new Error(`${what}: iptables holds ${present} rules, expected ${rules}`)
  }
  if ((await countIptablesRules(run)) !== 0) throw new Error('the iptables chains are not empty')
  const naiveFirst = await timed(() => naiveForwardApply(run, forwards, 'empty'))
  await expectRules('naive first')
  const naiveAgain = await timed(() => naiveForwardApply(run, forwards, 'complete'))
  await expectRules('naive again')
  await run(['iptables', '-t', 'nat', '-F', 'PREROUTING'])
  await run(['iptables', '-t', 'filter', '-F', 'FORWARD'])

  return {
    forwards: n,
    ports,
    iptablesRules: rules,
    ourFirst: median(ourFirst),
    ourAgain: median(ourAgain),
    naiveFirst,
    naiveAgain,
  }
}

// ---------------------------------------------------------------------------------------------
// Section 2: WireGuard peers

interface PeerRow {
  peers: number
  operation: string
  ours: number
  how: string
  naive: number
}

/** The WireGuard link and its wireguard-go, made as the driver makes it (kernel first, else userspace). */
class WgLink {
  /** Which kind ensureWgInterface made (null until the first): the driver tries the kernel first. */
  kind: WireguardKind | null = null

  constructor(
    private readonly run: Run,
    private readonly dir: string,
  ) {}

  /** A fresh interface: no key, no port, no peers. */
  async recreate(): Promise<void> {
    if ((await wireguardInterfaces(this.run)).includes(WG_IF)) {
      await this.run(['ip', 'link', 'del', 'dev', WG_IF])
      // wireguard-go exits on its own once its tun is gone; its socket goes with it.
      for (let i = 0; i < 100 && (await wireguardInterfaces(this.run)).includes(WG_IF); i++) await sleep(20)
    }
    this.kind = await ensureWgInterface(this.run, WG_IF, this.kind)
  }

  /** Throws unless wg0 holds exactly `want`'s peers with their allowed IPs. */
  async expectPeers(want: WgPeer[], what: string): Promise<void> {
    const have = new Map(parseWgDump(await this.run(['wg', 'show', WG_IF, 'dump'])).peers.map((p) => [p.publicKey, p]))
    const wrong = want.filter((p) => have.get(p.publicKey)?.allowedIps.join(',') !== p.allowedIps.join(','))
    if (have.size !== want.length || wrong.length > 0)
      throw new Error(`${what}: wg0 has ${have.size} peers (${wrong.length} not as wanted), expected ${want.length}`)
  }

  /** A 0600 file for `wg set … private-key`, which reads the key from a path. */
  async keyFile(privateKey: string): Promise<string> {
    const file = path.join(this.dir, 'naive.key')
    await writeFile(file, `${privateKey}\n`, { mode: 0o600 })
    return file
  }
}

/** One `wg set` per peer, as a script that does not look at what is there already; first the key, if given. */
async function naiveWgSet(run: Run, peers: WgPeer[], keyFile: string | null = null): Promise<void> {
  const lines = peers.map((p) => ['set', WG_IF, 'peer', p.publicKey, 'allowed-ips', p.allowedIps.join(',')])
  if (keyFile) lines.unshift(['set', WG_IF, 'private-key', keyFile, 'listen-port', String(LISTEN_PORT)])
  const status = await runEach(run, 'wg', lines)
  if (status !== 0) throw new Error(`a wg set failed (xargs status ${status})`)
}

async function benchPeers(run: Run, dir: string, n: number): Promise<{ kind: string; rows: PeerRow[] }> {
  const link = new WgLink(run, dir)
  const { privateKey } = randomWgKeyPair()
  const peers = makePeers(n)
  const moved = peers.map((p, i) =>
    i === Math.floor(n / 2) ? { ...p, allowedIps: [`${ipv4(PEER_BASE + n + 2)}/32`] } : p,
  )
  const how = (kind: string) => (kind === 'set' ? 'one wg set' : kind === 'syncconf' ? 'wg syncconf' : kind)

  // Ours. A full converge starts from a fresh interface each time, so it is repeated fewer times.
  const converge: number[] = []
  let convergeHow = ''
  for (let i = 0; i < 3; i++) {
    await link.recreate()
    converge.push(
      await timed(async () => {
        convergeHow = how(await applyWgConfig(run, wgState(peers), privateKey, dir))
      }),
    )
  }
  await link.expectPeers(peers, 'our converge')
  // The peer moves to and fro, so every apply has exactly one peer to change.
  const change: number[] = []
  let changeHow = ''
  for (let i = 0; i < OUR_REPEATS; i++) {
    const want = i % 2 === 0 ? moved : peers
    change.push(
      await timed(async () => {
        changeHow = how(await applyWgConfig(run, wgState(want), privateKey, dir))
      }),
    )
    await link.expectPeers(want, 'our one-peer change')
  }

  // Naive, on a fresh interface too: `wg set` for every peer, then again with the one change.
  await link.recreate()
  const keyFile = await link.keyFile(privateKey)
  const naiveConverge = await timed(() => naiveWgSet(run, peers, keyFile))
  await rm(keyFile, { force: true })
  await link.expectPeers(peers, 'naive converge')
  const naiveChange = await timed(() => naiveWgSet(run, moved))
  await link.expectPeers(moved, 'naive one-peer change')

  return {
    kind: link.kind === 'userspace' ? 'wireguard-go' : `${link.kind} module`,
    rows: [
      { peers: n, operation: 'full converge', ours: median(converge), how: convergeHow, naive: naiveConverge },
      { peers: n, operation: "one peer's IP changes", ours: median(change), how: changeHow, naive: naiveChange },
    ],
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function firstLine(argv: string[]): Promise<string> {
  return (await host(argv).catch((err: Error) => `unavailable: ${err.message}`)).split('\n')[0]!.trim()
}

async function header(run: Run): Promise<string> {
  const cpus = os.cpus()
  const versions = await Promise.all(
    (['nft', 'wg', 'iptables', 'wireguard-go'] as const).map(async (tool) => firstLine([tool, '--version'])),
  )
  // Our commands start from Node through nsenter; the naive ones from one xargs inside (runEach).
  const fromNode: number[] = []
  for (let i = 0; i < 20; i++) fromNode.push(await timed(() => run(['true'])))
  const perXargsRun =
    (await timed(() =>
      runEach(
        run,
        'true',
        Array.from({ length: 200 }, () => ['x']),
      ),
    )) / 200
  return [
    `machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, Linux ${os.release()}, Node ${process.version}`,
    ...versions,
    `cost of starting \`true\`: ${ms(median(fromNode))} from Node via nsenter (each of our commands), ` +
      `${ms(perXargsRun)} from xargs in the namespace (each naive command)`,
  ].join('\n')
}

const ns = new BenchNamespace()
/** Holds wg syncconf's 0600 file while it is applied, and the naive side's key file. */
let stateDir: string | null = null
let cleanup: Promise<void> | null = null

function removeAll(): Promise<void> {
  cleanup ??= ns.remove().finally(() => (stateDir ? rm(stateDir, { recursive: true, force: true }) : undefined))
  return cleanup
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the benchmark makes a network namespace')
  const started = performance.now()
  try {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ww-bench-'))
    stateDir = dir
    await ns.create()
    console.log(`${await header(ns.run)}\n`)

    const forwardRows: ForwardRow[] = []
    for (const n of FORWARD_COUNTS) forwardRows.push(await benchForwards(ns.run, n))
    console.log(
      `port forwards: ours = read counters + render + one \`nft -f -\` (as the driver does; median of ${OUR_REPEATS})\n` +
        'naive = per DNAT (nat PREROUTING) and ACCEPT (filter FORWARD) rule `iptables -C`, then `-A` when missing;\n' +
        'first over empty chains, again over the complete ones (each once)',
    )
    console.log(
      table(
        [
          'forwards',
          'ports',
          'ipt rules',
          'our first',
          'our again',
          'naive first',
          'naive again',
          'ratio first',
          'ratio again',
        ],
        forwardRows.map((r) => [
          int.format(r.forwards),
          int.format(r.ports),
          int.format(r.iptablesRules),
          ms(r.ourFirst),
          ms(r.ourAgain),
          ms(r.naiveFirst),
          ms(r.naiveAgain),
          ratio(r.naiveFirst, r.ourFirst),
          ratio(r.naiveAgain, r.ourAgain),
        ]),
      ),
    )

    const peerRows: PeerRow[] = []
    let kind = ''
    for (const n of PEER_COUNTS) {
      const result = await benchPeers(ns.run, dir, n)
      kind = result.kind
      peerRows.push(...result.rows)
    }
    console.log(
      `\nWireGuard peers (${kind}): ours = applyWgConfig: wg show dump, planWgUpdate, then one \`wg set\` or\n` +
        `\`wg syncconf\` (median of 3 converges, each on a fresh interface, and of ${OUR_REPEATS} changes)\n` +
        'naive = `wg set wg0 peer KEY allowed-ips IP/32` for every peer, every time (each once)',
    )
    console.log(
      table(
        ['peers', 'operation', 'ours', 'ours runs', 'naive', 'ratio'],
        peerRows.map((r) => [int.format(r.peers), r.operation, ms(r.ours), r.how, ms(r.naive), ratio(r.naive, r.ours)]),
        [1, 3],
      ),
    )
    console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`)
  } finally {
    await removeAll()
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: removing ${ns.name}`)
    removeAll().finally(() => process.exit(130))
  })

main().catch((err: Error) => {
  console.error(err.message)
  process.exitCode = 1
})
