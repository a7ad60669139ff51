/**
 * Brings the whole lab up (network, control server, echo services, two registered agents with
 * the linux driver) and returns its handles; takes everything down again, including what a run
 * that failed halfway or another process left behind.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Agent, TunnelClient, TunnelServer } from '@wirewarp/protocol'
import { AdminApi } from './adminApi.ts'
import { type AdminCredentials, ControlServer, SERVER_MAIN } from './controlServer.ts'
import { AGENT_BIN, type AgentDriver, LabAgent } from './labAgents.ts'
import { LabDir } from './labDir.ts'
import { sendSignal, stopRecordedProcesses } from './labProcess.ts'
import {
  createTopology,
  deleteNamespace,
  deleteRootLink,
  existingNamespaces,
  existingRootLinks,
  namespacePids,
} from './netns.ts'
import { startEchoServers } from './services.ts'
import { ADDRESSES, ALL_TOPOLOGIES, LAB_TOPOLOGY, NS, VM_NETWORK, VPS_PUBLIC_INTERFACE } from './topology.ts'
import { waitUntil } from './waitUntil.ts'

export const LAB_ADMIN_EMAIL = 'admin@example.com'

export interface UpOptions {
  dir?: LabDir
  /** Runs once the network, server and registrations exist, before any agent starts. */
  beforeAgents?: () => Promise<void>
  progress?: (step: string) => void
  /** Default linux; `recording` exercises everything but the data plane. */
  driver?: AgentDriver
  /** Default true. False leaves the tunnel server without a public IP, so the tunnel cannot come up. */
  publicIp?: boolean
  /** The agents' metrics interval (default theirs, 30 s): how soon a handshake shows in the dashboard. */
  metricsSeconds?: number
}

export interface DownReport {
  namespaces: string[]
  links: string[]
}

const TOOLS = ['ip', 'nft', 'wg', 'wireguard-go', 'unshare', 'iptables']

export function onPath(tool: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']
  return dirs.some((d) => d !== '' && existsSync(path.join(d, tool)))
}

/** Why the lab cannot run here, or null: root, the tools, and the built server and agent. */
export function labUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, nftables, WireGuard): run it with sudo'
  const missing = TOOLS.filter((t) => !onPath(t))
  if (missing.length > 0)
    return `${missing.join(', ')} not found (Debian: apt install iproute2 nftables wireguard-tools wireguard-go util-linux iptables)`
  for (const file of [SERVER_MAIN, AGENT_BIN])
    if (!existsSync(file)) return `${file} is missing: run npm run build first`
  return null
}

export class Lab {
  private constructor(
    readonly dir: LabDir,
    readonly server: ControlServer,
    readonly api: AdminApi,
    readonly vps: LabAgent,
    readonly homelab: LabAgent,
    readonly tunnelServer: TunnelServer,
    readonly tunnelClient: TunnelClient,
  ) {}

  /**
   * Takes down any earlier lab first (leftovers, or one still running: the names are fixed, so
   * there is one lab per machine). On failure it throws and leaves what it built for
   * inspection: `Lab.down()` removes it.
   */
  static async up({
    dir = new LabDir(),
    beforeAgents,
    progress = () => {},
    driver,
    publicIp = true,
    metricsSeconds,
  }: UpOptions = {}): Promise<Lab> {
    const problem = labUnavailable()
    if (problem) throw new Error(problem)
    await Lab.down(dir)
    dir.create()

    progress('network namespaces')
    await createTopology(LAB_TOPOLOGY)

    progress('control server')
    const admin: AdminCredentials = { email: LAB_ADMIN_EMAIL, password: randomBytes(12).toString('base64url') }
    const server = await ControlServer.start(dir, admin)
    progress('echo services')
    await startEchoServers(dir)
    const api = await AdminApi.signIn(server.localUrl, admin.email, admin.password)

    progress('registering the VPS agent')
    const vps = new LabAgent(dir, 'vps', NS.vps, 'server')
    const serverToken = await api.createRegistrationToken({ kind: 'server', name: 'vps' })
    await vps.register(server.agentUrl, serverToken.token, driver)
    const ts = await api.tunnelServerOfAgent(vps.agentId)
    const tunnelServer = await api.updateTunnelServer(ts.id, {
      ...(publicIp ? { publicIp: ADDRESSES.vpsPublic } : {}),
      publicInterface: VPS_PUBLIC_INTERFACE,
    })

    progress('registering the homelab agent')
    const homelab = new LabAgent(dir, 'homelab', NS.homelab, 'client')
    const clientToken = await api.createRegistrationToken({
      kind: 'client',
      name: 'homelab',
      tunnelServerId: tunnelServer.id,
    })
    await homelab.register(server.agentUrl, clientToken.token, driver)
    const tc = await api.tunnelClientOfAgent(homelab.agentId)
    const tunnelClient = await api.updateTunnelClient(tc.id, {
      isGateway: true,
      lanNetworks: [VM_NETWORK],
      lanIp: ADDRESSES.homelabVmGateway,
    })

    if (metricsSeconds !== undefined) for (const a of [vps, homelab]) a.setMetricsSeconds(metricsSeconds)
    await beforeAgents?.()

    progress('starting agents')
    const lab = new Lab(dir, server, api, vps, homelab, tunnelServer, tunnelClient)
    vps.start()
    homelab.start()
    await Promise.all([vps.waitForOutput(/connected to /), homelab.waitForOutput(/connected to /)])
    await lab.waitConverged()
    writeFileSync(dir.handlesFile, `${JSON.stringify(lab.handles(), null, 2)}\n`, { mode: 0o600 })
    return lab
  }

  /**
   * Stops every lab process, deletes the lab's namespaces and root-namespace links (with their
   * routes) and the lab directory. Safe to call any number of times; throws if something stayed.
   */
  static async down(dir = new LabDir()): Promise<DownReport> {
    await stopRecordedProcesses(dir)
    const namespaces: string[] = []
    for (const t of ALL_TOPOLOGIES) namespaces.push(...(await existingNamespaces(t)))
    // Listed first: deleting a namespace deletes the root end of its veth with it.
    const links: string[] = []
    for (const t of ALL_TOPOLOGIES) links.push(...(await existingRootLinks(t)))
    for (const ns of namespaces) {
      // What is left: wireguard-go daemons (they outlive the agent that started them), strays.
      const kill = async () => {
        for (const pid of await namespacePids(ns)) sendSignal(pid, 'SIGKILL')
        return (await namespacePids(ns)).length === 0
      }
      await waitUntil(kill, { timeoutMs: 5000, what: `the processes in ${ns} to exit` })
      await deleteNamespace(ns)
    }
    const left: string[] = []
    for (const t of ALL_TOPOLOGIES) for (const l of await existingRootLinks(t)) await deleteRootLink(l)
    dir.remove()
    for (const t of ALL_TOPOLOGIES) left.push(...(await existingNamespaces(t)), ...(await existingRootLinks(t)))
    if (left.length > 0) throw new Error(`the lab could not remove: ${left.join(', ')}`)
    return { namespaces, links }
  }

  /** Waits until both agents are connected and have applied the revision the server holds for them. */
  async waitConverged(timeoutMs = 15_000): Promise<void> {
    await Promise.all(
      [this.vps, this.homelab].map(async (agent) => {
        let last: Agent | undefined
        await waitUntil(
          async () => {
            last = await this.api.agent(agent.agentId)
            if (last.status === 'connected' && last.appliedRevision === last.desiredRevision) return true
            // A failed apply is not retried until the next state: waiting longer cannot help.
            if (last.lastApplyError && agent.output().includes(`apply of revision ${last.desiredRevision} failed`))
              throw new Error(
                `agent ${agent.name} failed to apply revision ${last.desiredRevision}: ${last.lastApplyError}`,
              )
            return false
          },
          {
            timeoutMs,
            intervalMs: 100,
            what: `agent ${agent.name} to apply its desired state`,
            detail: () =>
              `status ${last?.status}, applied ${last?.appliedRevision} of ${last?.desiredRevision}, ` +
              `last error: ${last?.lastApplyError ?? 'none'}\n${agent.output().split('\n').slice(-15).join('\n')}`,
          },
        )
      }),
    )
  }

  /** The data plane of both hosts as text, for the message of a failed check. */
  async diagnose(): Promise<string> {
    const sections: string[] = []
    const show = async (title: string, what: () => Promise<string>) => {
      const text = await what().catch((err: Error) => `(failed: ${err.message})`)
      sections.push(`--- ${title}\n${text.trim()}`)
    }
    for (const a of [this.vps, this.homelab]) {
      await show(`${a.name}: nft list table inet wirewarp`, () => a.nft(['list', 'table', 'inet', 'wirewarp']))
      await show(`${a.name}: wg show`, () => a.wg(['show']))
      await show(`${a.name}: ip rule`, () => a.ip(['rule']))
      await show(`${a.name}: ip route show table all (no local)`, async () =>
        (await a.ip(['route', 'show', 'table', 'all']))
          .split('\n')
          .filter((l) => !l.startsWith('local ') && !l.includes('table local'))
          .join('\n'),
      )
      sections.push(`--- ${a.name}: agent log (last lines)\n${a.output().split('\n').slice(-12).join('\n')}`)
    }
    return sections.join('\n')
  }

  /** What a person (or a later process) needs to use the lab. */
  handles() {
    return {
      dashboard: this.server.localUrl,
      agentUrl: this.server.agentUrl,
      admin: this.server.admin,
      dir: this.dir.root,
      tunnelServerId: this.tunnelServer.id,
      tunnelClientId: this.tunnelClient.id,
      agents: Object.fromEntries(
        [this.vps, this.homelab].map((a) => [a.name, { id: a.agentId, ns: a.ns, config: a.config, log: a.logFile }]),
      ),
    }
  }
}
