/**
 * The driver that configures a real Linux host: a WireGuard interface (kernel or wireguard-go),
 * nftables (`table inet wirewarp`), policy routing and sysctls, following the data-plane recipe
 * verified on real traffic in network namespaces. It renders with the pure functions in render/
 * and changes the host only through the appliers in apply/, which compare before they change:
 * applying the same state twice runs no changing command the second time except the nft
 * transaction. `checkDrift` compares the host with the state last applied (the table with its
 * listing right after that apply) and repairs what someone changed, reporting what it repaired.
 *
 * What it owns (see render/dataplaneIds.ts): `table inet wirewarp`, routing table 51820, marks
 * 0x5157 and 0x1, `ip rule`s at priorities 100/5000/5100/5200 pointing at its table, routes
 * tagged `proto 87`, DOCKER-USER accepts commented `wirewarp`, and the WireGuard interface noted
 * in `<stateDir>/linux-driver.json`. `teardown` removes exactly those; sysctls stay as they are,
 * because other software on the host may rely on forwarding.
 */
import path from 'node:path'
import type { Capabilities, ClientState, DesiredState, DriftItem, ServerState } from '@wirewarp/protocol'
import { errorText } from '../agentText.ts'
import { AppliedRecordFile } from '../apply/appliedRecord.ts'
import { applyLinkSettings } from '../apply/applyLinkSettings.ts'
import { applySysctls } from '../apply/applySysctls.ts'
import { applyWgConfig, KEY_DIR, runWgSet } from '../apply/applyWgConfig.ts'
import { describeWgDrift } from '../apply/describeWgDrift.ts'
import { addDockerUserAccepts, hasDockerUserChain, removeDockerUserAccepts } from '../apply/dockerUserAccepts.ts'
import { type HostFiles, nodeHostFiles } from '../apply/hostFiles.ts'
import { defaultRouteInterface, listHostAddresses } from '../apply/hostNetwork.ts'
import { loadNftRuleset, readNftCounters } from '../apply/nftTable.ts'
import { describeListingChange, readNftTableListing } from '../apply/nftTableListing.ts'
import { planVpnDelta, vpnOnlyChange } from '../apply/planVpnDelta.ts'
import { planWgUpdate } from '../apply/planWgUpdate.ts'
import { listOurRoutes, reconcileRoutes } from '../apply/reconcileRoutes.ts'
import { listRules, parseOurRule, reconcileRules } from '../apply/reconcileRules.ts'
import { recordChanges } from '../apply/recordChanges.ts'
import { parseWgDump } from '../apply/wgDump.ts'
import { ensureWgInterface, showLink, type WireguardKind, wireguardInterfaces } from '../apply/wgInterface.ts'
import { CommandFailed, run as hostRun, type Run } from '../exec/run.ts'
import { NFT_TABLE, ROUTING_TABLE } from '../render/dataplaneIds.ts'
import { forwardCounterNames } from '../render/forwardPorts.ts'
import { routeArgv, ruleArgv } from '../render/ipRouting.ts'
import { renderNftRemoval } from '../render/nftText.ts'
import { renderClientRouting } from '../render/renderClientRouting.ts'
import { renderClientRuleset } from '../render/renderClientRuleset.ts'
import { renderServerRoutes } from '../render/renderServerRoutes.ts'
import { renderServerRuleset } from '../render/renderServerRuleset.ts'
import { renderSysctls, type Sysctl } from '../render/renderSysctls.ts'
import { wantedWgPeers } from '../render/wantedWgPeers.ts'
import type { DriftResult, Driver, DriverStats } from './driver.ts'

export interface LinuxDriverOptions {
  stateDir: string
  /** The agent's WireGuard private key (base64), from `<stateDir>/private.key`. */
  privateKey: () => Promise<string>
  run?: Run
  files?: HostFiles
}

// `nft list table` of a server with wide port ranges is long; diagnostics keep the start.
const MAX_DIAGNOSTIC_TEXT = 64 * 1024

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  return p.catch(() => null)
}

export class LinuxDriver implements Driver {
  readonly name = 'linux'
  private readonly run: Run
  private readonly files: HostFiles
  private readonly record: AppliedRecordFile
  /** Which kind of WireGuard interface worked in this process; null until one was made or found. */
  private kind: WireguardKind | null = null
  /** The state last applied successfully. */
  private last: DesiredState | null = null
  /** The interface and mode being configured, for stats while an apply runs or after it failed. */
  private active: { interface: string; mode: 'server' | 'client' } | null = null
  /** nftables counter name → forward id, for the forwards of the last server state. */
  private counterIds = new Map<string, string>()
  /** `table inet wirewarp` as listed right after the last apply (or repair); the drift check's baseline. */
  private tableListing: string | null = null
  /** An apply ran since the baseline was listed. */
  private unsettled = false
  /** The host is as the last successful apply (or repair) left it. */
  private consistent = false
  /** Why the last delta failed and the state was applied the whole way instead (diagnostics). */
  private lastDeltaFailure: string | null = null

  constructor(private readonly opts: LinuxDriverOptions) {
    this.run = opts.run ?? hostRun
    this.files = opts.files ?? nodeHostFiles
    this.record = new AppliedRecordFile(opts.stateDir)
  }

  async capabilities(): Promise<Capabilities> {
    const [wireguard, nftVersion, ipv6, dockerUser, dockerBin, iptables] = await Promise.all([
      this.wireguardCapability(),
      orNull(this.run(['nft', '--version'])),
      this.hasIpv6(),
      hasDockerUserChain(this.run).catch(() => false),
      this.onPath('docker'),
      orNull(this.run(['iptables', '--version'])),
    ])
    return {
      driver: 'linux',
      wireguard,
      // The protocol bounds capability strings at 256 characters.
      nft: nftVersion?.match(/v(\d[\w.]*)/)?.[1]?.slice(0, 64) ?? null,
      ipv6,
      docker: dockerUser || dockerBin,
      iptables: iptables !== null,
    }
  }

  async apply(state: DesiredState): Promise<void> {
    if (!state.wireguard) {
      // A detached client: nothing of ours may stay behind.
      await this.teardown()
      this.last = state
      return
    }
    const wanted = { mode: state.mode, interface: state.wireguard.name }
    const record = await this.record.read()
    if (record && (record.mode !== wanted.mode || record.interface !== wanted.interface)) await this.teardown()
    if (!record || record.mode !== wanted.mode || record.interface !== wanted.interface)
      // Noted before the host changes: a crash halfway still leaves teardown knowing the interface.
      await this.record.write(wanted)
    this.active = wanted
    // A delta needs the host as the last apply left it: not after a failed or a torn-down one.
    const prev = this.consistent ? this.last : null
    this.consistent = false
    if (state.mode === 'server') await this.applyServer(state, prev)
    else await this.applyClient(state as ClientState & { wireguard: NonNullable<ClientState['wireguard']> })
    // Listed in settle(): at 10,000 devices the listing takes longer than the whole apply.
    this.tableListing = null
    this.unsettled = true
    this.last = state
    this.consistent = true
  }

  async settle(): Promise<void> {
    if (!this.unsettled) return
    this.unsettled = false
    if (this.last?.wireguard) this.tableListing = await readNftTableListing(this.run)
  }

  async checkDrift(): Promise<DriftResult> {
    // An apply the session did not settle (a caller of the driver alone): its table is the baseline.
    await this.settle()
    const state = this.last
    // Nothing applied in this process yet, or a detached client: teardown left nothing to check.
    if (!state?.wireguard) return { items: [] }
    const items: DriftItem[] = []
    try {
      const families = await this.families()
      const name = state.wireguard.name
      if (state.mode === 'server') {
        // In the order of an apply: the table before WireGuard, routes once the interface is back.
        await this.repairTable(items, () => this.loadServerTable(state))
        await this.repairWireguard(items, state)
        await this.repairWith(items, 'routes', (run) =>
          reconcileRoutes(run, renderServerRoutes(state), { table: 'main', families }),
        )
        await this.repairSysctls(items, renderSysctls(state))
      } else {
        const client = state as ClientState & { wireguard: NonNullable<ClientState['wireguard']> }
        await this.repairWireguard(items, client)
        await this.repairSysctls(items, this.clientSysctls(client, families))
        const hostAddresses = await listHostAddresses(this.run)
        const routing = renderClientRouting({ state: client, hostAddresses })
        await this.repairWith(items, 'routes', (run) =>
          reconcileRoutes(run, routing.routes, { table: ROUTING_TABLE, families }),
        )
        await this.repairWith(items, 'rules', (run) => reconcileRules(run, routing.rules, families))
        await this.repairTable(items, () =>
          loadNftRuleset(this.run, renderClientRuleset({ state: client, hostAddresses })),
        )
      }
      await this.repairWith(items, 'docker', (run) => addDockerUserAccepts(run, name, families))
    } catch (err) {
      // Half repaired: the next state goes the whole way, not as a delta from the last one.
      this.consistent = false
      return { items, error: errorText(err) }
    }
    return { items }
  }

  async teardown(): Promise<void> {
    this.consistent = false
    const record = await this.record.read()
    const names = new Set([record?.interface, this.active?.interface].filter((n): n is string => !!n))
    const families = await this.families()
    await loadNftRuleset(this.run, renderNftRemoval())
    await reconcileRules(this.run, [], families)
    await reconcileRoutes(this.run, [], { table: ROUTING_TABLE, families })
    await reconcileRoutes(this.run, [], { table: 'main', families })
    for (const name of names) {
      await removeDockerUserAccepts(this.run, name, families)
      // Deleting the link also ends wireguard-go, which daemonized when it was made.
      if ((await showLink(this.run, name)) && (await wireguardInterfaces(this.run)).includes(name))
        await this.run(['ip', 'link', 'del', 'dev', name])
    }
    await this.record.remove()
    this.active = null
    this.last = null
    this.counterIds = new Map()
    this.tableListing = null
  }

  async stats(): Promise<DriverStats> {
    const active = this.active
    if (!active) return {}
    const out: DriverStats = {}
    const dump = await orNull(this.run(['wg', 'show', active.interface, 'dump']))
    if (dump !== null)
      out.peers = parseWgDump(dump).peers.map((p) => ({
        publicKey: p.publicKey,
        endpoint: p.endpoint,
        latestHandshakeAt: p.latestHandshake > 0 ? new Date(p.latestHandshake * 1000).toISOString() : null,
        rxBytes: p.rxBytes,
        txBytes: p.txBytes,
      }))
    if (active.mode === 'server') {
      const counters = await orNull(readNftCounters(this.run))
      if (counters)
        out.forwards = counters.flatMap((c) => {
          const id = this.counterIds.get(c.name) ?? c.comment
          return id ? [{ id, packets: c.packets, bytes: c.bytes }] : []
        })
    }
    return out
  }

  async diagnostics(): Promise<Record<string, unknown>> {
    const s = this.last
    const name = this.active?.interface ?? null
    const text = (p: Promise<string>) =>
      p.then(
        (t) => (t.length > MAX_DIAGNOSTIC_TEXT ? `${t.slice(0, MAX_DIAGNOSTIC_TEXT)}\n… (cut)` : t),
        (err: Error) => `unavailable: ${err.message}`,
      )
    const families = await this.families()
    const rules = await Promise.all(
      families.map((f) =>
        listRules(this.run, f).then(
          (observed) =>
            observed.flatMap((j) => {
              const r = parseOurRule(j, f)
              return r ? [ruleArgv(r, 'add').slice(4).join(' ')] : []
            }),
          (err: Error) => [`unavailable: ${err.message}`],
        ),
      ),
    )
    const routes = await Promise.all(
      families.flatMap((f) =>
        (['main', ROUTING_TABLE] as const).map((table) =>
          listOurRoutes(this.run, f, table).then(
            (rs) => rs.map((r) => routeArgv(r, 'replace').slice(4).join(' ')),
            (err: Error) => [`unavailable: ${err.message}`],
          ),
        ),
      ),
    )
    return {
      driver: 'linux',
      lastDeltaFailure: this.lastDeltaFailure,
      capabilities: await this.capabilities(),
      interface: name,
      mode: this.active?.mode ?? null,
      lastState: s && {
        revision: s.revision,
        mode: s.mode,
        interface: s.wireguard?.name ?? null,
        addresses: s.wireguard?.addresses ?? [],
        peers: s.wireguard?.peers.length ?? 0,
        devices: s.mode === 'server' ? s.vpn.devices.length : null,
        forwards: s.mode === 'server' ? s.forwards.length : s.inboundForwards.length,
        gateway: s.mode === 'client' ? s.gateway.enabled : null,
      },
      stats: await this.stats().catch((err: Error) => ({ error: err.message })),
      rules: rules.flat(),
      routes: routes.flat(),
      nftables: await text(this.run(['nft', 'list', 'table', 'inet', NFT_TABLE])),
    }
  }

  private async applyServer(state: ServerState, prev: DesiredState | null): Promise<void> {
    if (vpnOnlyChange(prev, state))
      try {
        await this.applyVpnDelta(prev, state)
        return
      } catch (err) {
        // The host is not as the last state left it (or the delta is refused): the whole way.
        this.lastDeltaFailure = (err as Error).message.slice(0, 500)
      }
    const wg = state.wireguard
    const families = await this.families()
    // Both rendered before anything changes, so a state they refuse changes nothing at all. The
    // table goes before WireGuard: a new VPN device becomes a peer only once its user's rules are
    // live. (In between, an address in a device network that the map does not know yet is
    // dropped: the gap fails closed.)
    const peers = wantedWgPeers(state)
    await this.loadServerTable(state)
    await this.applyWireguard(state, peers)
    await reconcileRoutes(this.run, renderServerRoutes(state), { table: 'main', families })
    await applySysctls(this.files, renderSysctls(state))
    await addDockerUserAccepts(this.run, wg.name, families)
    this.counterIds = new Map([...forwardCounterNames(state.forwards)].map(([id, name]) => [name, id]))
  }

  /** Only what changed among devices and users: one nft transaction, one `wg set`. */
  private async applyVpnDelta(prev: ServerState, state: ServerState): Promise<void> {
    const keyDir = path.join(this.opts.stateDir, KEY_DIR)
    const delta = planVpnDelta(prev, state, keyDir)
    // The table before WireGuard, as in the whole way: a new device's rules are live before its peer.
    if (delta.nft) await loadNftRuleset(this.run, delta.nft)
    if (delta.wg.length > 0) {
      const secrets = state.vpn.devices.flatMap((d) => (d.presharedKey ? [d.presharedKey] : []))
      await runWgSet(this.run, delta.wg, delta.keyFiles, keyDir, secrets)
    }
  }

  /** Replaces the table with the server state's; renders first, so a state it refuses changes nothing. */
  private async loadServerTable(state: ServerState): Promise<void> {
    const publicInterface = state.publicInterface ?? (await defaultRouteInterface(this.run))
    // Replacing the table starts its counters again; carrying the values over keeps them growing.
    const counters = new Map((await readNftCounters(this.run)).map((c) => [c.name, c]))
    await loadNftRuleset(this.run, renderServerRuleset({ state, publicInterface, counters }))
  }

  private clientSysctls(state: ClientState, families: readonly (4 | 6)[]): Sysctl[] {
    // A site asks for IPv6 only for the VPN's IPv6 devices; on a host without IPv6 they cannot
    // reach its LAN anyway, and its IPv4 part must still work.
    return renderSysctls(state).filter((s) => families.includes(6) || !s.key.startsWith('net/ipv6/'))
  }

  private async applyClient(state: ClientState & { wireguard: NonNullable<ClientState['wireguard']> }): Promise<void> {
    const families = await this.families()
    await this.applyWireguard(state)
    await applySysctls(this.files, this.clientSysctls(state, families))
    const hostAddresses = await listHostAddresses(this.run)
    const routing = renderClientRouting({ state, hostAddresses })
    // Routes before rules: a rule pointing at an empty table would send traffic nowhere.
    await reconcileRoutes(this.run, routing.routes, { table: ROUTING_TABLE, families })
    await reconcileRules(this.run, routing.rules, families)
    await loadNftRuleset(this.run, renderClientRuleset({ state, hostAddresses }))
    await addDockerUserAccepts(this.run, state.wireguard.name, families)
  }

  /** `peers`: on a server the VPN's devices are peers too, with their preshared keys. */
  private async applyWireguard(state: DesiredState, peers = wantedWgPeers(state)): Promise<void> {
    const wg = state.wireguard!
    this.kind = await ensureWgInterface(this.run, wg.name, this.kind)
    await applyWgConfig(this.run, peers, await this.opts.privateKey(), this.opts.stateDir)
    await applyLinkSettings(this.run, wg)
  }

  // ---- drift: each compares the host with the last state, reports what differs, puts it back ----

  /** Against the listing taken after the last apply: a flushed or edited table is loaded again. */
  private async repairTable(items: DriftItem[], load: () => Promise<void>): Promise<void> {
    const live = await readNftTableListing(this.run)
    if (live !== null && live === this.tableListing) return
    const detail =
      live === null
        ? `table inet ${NFT_TABLE} missing`
        : `table inet ${NFT_TABLE} changed (${describeListingChange(this.tableListing ?? '', live)})`
    items.push({ what: 'nftables', detail })
    await load()
    this.tableListing = await readNftTableListing(this.run)
  }

  /** The interface, its key, port and peers as `wg show dump` has them, then its addresses, MTU and link state. */
  private async repairWireguard(items: DriftItem[], state: DesiredState): Promise<void> {
    const wg = state.wireguard!
    const peers = wantedWgPeers(state)
    const privateKey = await this.opts.privateKey()
    const dumpText = (await showLink(this.run, wg.name))
      ? await this.run(['wg', 'show', wg.name, 'dump']).catch(() => null)
      : null
    let found: string[]
    if (dumpText === null) found = [`interface ${wg.name} missing`]
    else {
      const dump = parseWgDump(dumpText)
      const plan = planWgUpdate(peers, privateKey, dump, `${this.opts.stateDir}/${KEY_DIR}`)
      found = plan.kind === 'none' ? [] : describeWgDrift(peers, privateKey, dump)
      if (plan.kind !== 'none' && found.length === 0) found = ['peer endpoints differ']
    }
    if (found.length > 0) {
      items.push({ what: 'wireguard', detail: found.join(', ') })
      await this.applyWireguard(state, peers)
      return
    }
    await this.repairWith(items, 'wireguard', (run) => applyLinkSettings(run, wg))
  }

  /** Runs an applier that compares before it changes; whatever it changed was drift. */
  private async repairWith(items: DriftItem[], what: string, apply: (run: Run) => Promise<unknown>): Promise<void> {
    const r = recordChanges(this.run)
    try {
      await apply(r.run)
    } finally {
      if (r.changes.length > 0) {
        const n = r.changes.length
        items.push({
          what,
          detail: `${n} command${n === 1 ? '' : 's'} to restore: ${r.changes.map((argv) => argv.join(' ')).join('; ')}`,
        })
      }
    }
  }

  private async repairSysctls(items: DriftItem[], sysctls: readonly Sysctl[]): Promise<void> {
    const changed = await applySysctls(this.files, sysctls)
    if (changed.length > 0)
      items.push({ what: 'sysctls', detail: `set again: ${changed.map((k) => k.replaceAll('/', '.')).join(', ')}` })
  }

  /** The address families to reconcile: IPv6 only where the host has it (else `ip -6` fails). */
  private async families(): Promise<(4 | 6)[]> {
    return (await this.hasIpv6()) ? [4, 6] : [4]
  }

  private hasIpv6(): Promise<boolean> {
    return this.files.exists('/proc/net/if_inet6')
  }

  /**
   * What `ip link add … type wireguard` would give, without making a link to find out: the kind
   * that worked already, else the kernel's when its module is loaded, else wireguard-go.
   */
  private async wireguardCapability(): Promise<WireguardKind | 'missing'> {
    if (this.kind) return this.kind
    if (await this.files.exists('/sys/module/wireguard')) return 'kernel'
    const userspace = await this.run(['wireguard-go', '--version']).then(
      () => true,
      (err) => !(err instanceof CommandFailed && err.reason === 'ENOENT'),
    )
    return userspace ? 'userspace' : 'missing'
  }

  private async onPath(program: string): Promise<boolean> {
    for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean))
      if (await this.files.exists(`${dir}/${program}`)) return true
    return false
  }
}

export function createLinuxDriver(opts: LinuxDriverOptions): LinuxDriver {
  return new LinuxDriver(opts)
}
