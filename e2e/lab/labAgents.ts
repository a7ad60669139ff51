/**
 * The real agent bundle (apps/agent/dist/wirewarp-agent.js) running on a lab host: registered
 * with a one-time token, started and killed like a service, and the host's WireGuard and
 * nftables inspected the way the agent left them.
 *
 * wireguard-go keeps its control socket in /var/run/wireguard, one directory for every network
 * namespace. So every process of a host that talks to its WireGuard (the agent, the wireguard-go
 * it starts, a `wg show` from a test) runs in a private mount namespace where that host's own
 * folder is bind-mounted there. Because it is a folder on disk, not a tmpfs that dies with the
 * agent, an agent started again after a kill still finds the interface it left behind.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { DesiredState } from '@wirewarp/protocol'
import { REPO_ROOT } from './controlServer.ts'
import type { LabDir } from './labDir.ts'
import { LabProcess } from './labProcess.ts'
import { inNamespace, run } from './run.ts'
import type { Namespace } from './topology.ts'

/** The built bundle; WIREWARP_LAB_AGENT_BUNDLE points the lab at another build of it. */
export const AGENT_BIN =
  process.env.WIREWARP_LAB_AGENT_BUNDLE || path.join(REPO_ROOT, 'apps/agent/dist/wirewarp-agent.js')
export const WG_INTERFACE = 'wg0'

// Fixed text: the host's folder and the command come in as positional parameters ("$1", "$@"),
// never spliced into the script.
const HOST_MOUNTS_SCRIPT = 'mkdir -p /var/run/wireguard && mount --bind "$1" /var/run/wireguard && shift && exec "$@"'

/**
 * The argv that runs `argv` in namespace `ns` with `wireguardDir` (the host's own folder) on
 * /var/run/wireguard, in a private mount namespace: how every process of a lab host that talks
 * to its WireGuard runs (agents, wg-quick on a laptop, `wg show`).
 */
export function onLabHost(ns: Namespace, wireguardDir: string, argv: readonly string[]): string[] {
  return inNamespace(ns, [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    HOST_MOUNTS_SCRIPT,
    'sh',
    wireguardDir,
    ...argv,
  ])
}

export type AgentMode = 'server' | 'client'
/** `recording` applies nothing: only for working on the lab itself without a data plane. */
export type AgentDriver = 'linux' | 'recording'

export class LabAgent {
  readonly home: string
  readonly config: string
  readonly stateDir: string
  readonly wireguardDir: string
  #agentId: string | undefined
  #process: LabProcess | undefined

  constructor(
    private readonly dir: LabDir,
    readonly name: string,
    readonly ns: Namespace,
    readonly mode: AgentMode,
  ) {
    this.home = dir.agentDir(name)
    this.config = path.join(this.home, 'agent.yaml')
    this.stateDir = path.join(this.home, 'state')
    this.wireguardDir = dir.wireguardDir(ns)
  }

  get agentId(): string {
    if (!this.#agentId) throw new Error(`agent ${this.name} is not registered`)
    return this.#agentId
  }

  /** The argv that runs `argv` on this host: its network namespace and its /var/run/wireguard. */
  onHost(argv: readonly string[]): string[] {
    return onLabHost(this.ns, this.wireguardDir, argv)
  }

  /** Runs the agent CLI on this host (register, teardown, …) and returns its stdout. */
  cli(args: readonly string[]): Promise<string> {
    return run(this.onHost([process.execPath, AGENT_BIN, ...args]), { timeoutMs: 60_000 })
  }

  async register(serverUrl: string, token: string, driver: AgentDriver = 'linux'): Promise<string> {
    mkdirSync(this.home, { recursive: true, mode: 0o700 })
    mkdirSync(this.wireguardDir, { recursive: true, mode: 0o700 })
    // The token goes on argv: it is single-use, spent by this very call, and the lab is local.
    const out = await this.cli([
      'register',
      '--url',
      serverUrl,
      '--token',
      token,
      '--mode',
      this.mode,
      '--name',
      this.name,
      '--config',
      this.config,
      '--state-dir',
      this.stateDir,
      '--driver',
      driver,
      '--interface',
      WG_INTERFACE,
    ])
    const id = /as (?:server|client) agent (\S+?)\.?$/m.exec(out)?.[1]
    if (!id) throw new Error(`register printed no agent id:\n${out}`)
    this.#agentId = id
    return id
  }

  /**
   * How often the agent reports metrics (WireGuard handshakes among them), in its config file:
   * the lab's dashboard test waits for a handshake report, 30 s by default.
   */
  setMetricsSeconds(seconds: number): void {
    const text = readFileSync(this.config, 'utf8')
    if (!/^metricsSeconds: \d+$/m.test(text)) throw new Error(`${this.config} has no metricsSeconds line:\n${text}`)
    writeFileSync(this.config, text.replace(/^metricsSeconds: \d+$/m, `metricsSeconds: ${seconds}`), { mode: 0o600 })
  }

  /** Starts `run` in the background; its log (appended across restarts) is `output()`. */
  start(): void {
    if (this.#process?.running) throw new Error(`agent ${this.name} is already running`)
    this.#process = LabProcess.start(
      this.dir,
      this.processName,
      this.onHost([process.execPath, AGENT_BIN, 'run', '--config', this.config]),
    )
  }

  get running(): boolean {
    return this.#process?.running ?? false
  }

  private get processName(): string {
    return `agent-${this.name}`
  }

  get logFile(): string {
    return this.dir.logFile(this.processName)
  }

  /** SIGTERM lets the agent finish an apply and close its socket; SIGKILL is a crash. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.#process?.stop(signal)
  }

  output(): string {
    return this.#process?.output() ?? ''
  }

  /** How many matches of `re` the log has so far: wait for one more with `waitForOutput(re, n + 1)`. */
  count(re: RegExp): number {
    return this.#process?.count(re) ?? 0
  }

  async waitForOutput(re: RegExp, count = 1, timeoutMs = 15_000): Promise<void> {
    if (!this.#process) throw new Error(`agent ${this.name} was never started`)
    await this.#process.waitForOutput(re, count, timeoutMs)
  }

  /** `wg ARGS` against the host's WireGuard, e.g. `['show', 'wg0', 'dump']`. */
  wg(args: readonly string[]): Promise<string> {
    return run(this.onHost(['wg', ...args]))
  }

  nft(args: readonly string[]): Promise<string> {
    return run(inNamespace(this.ns, ['nft', ...args]))
  }

  ip(args: readonly string[]): Promise<string> {
    return run(['ip', '-n', this.ns, ...args])
  }

  /** The last desired state the agent saved (it is written before it is applied). */
  savedState(): DesiredState | null {
    const file = path.join(this.stateDir, 'state.json')
    // Written atomically (temp file + rename): never seen half-written.
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DesiredState) : null
  }
}
