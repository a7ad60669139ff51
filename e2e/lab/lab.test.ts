/**
 * WireWarp end to end, on real traffic: in the lab, the internet host reaches services in a
 * homelab behind NAT, and a VM behind the homelab gateway, through the VPS's public address,
 * with WireGuard (wireguard-go), nftables and routing set up by the real agents (linux driver)
 * from the real control server. One lab for the whole file, always taken down afterwards.
 *
 * Skipped when not root, without the tools or without a build; failing under CI=true instead.
 */
import type { ForwardState, PortForward, PortForwardCreate } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Lab, labUnavailable } from './lab.ts'
import type { LabAgent } from './labAgents.ts'
import { parseNftListing, portsOf, withoutHandles } from './nftListing.ts'
import { inNamespace, run } from './run.ts'
import { type EchoReply, INET_ECHO_PORT, type Protocol, probe } from './services.ts'
import { ADDRESSES, type Namespace, NS } from './topology.ts'
import { waitUntil } from './waitUntil.ts'
import { wgDumpConfig } from './wgDumpConfig.ts'

const unavailable = labUnavailable()
if (unavailable && process.env.CI)
  test('the lab can run in CI', () => {
    throw new Error(`cannot run the lab: ${unavailable}`)
  })

/** Made in the VPS and homelab namespaces before the agents start; the agents must never touch them. */
const FOREIGN_TABLE = `table inet foreign {
  chain input {
    type filter hook input priority 10; policy accept;
    tcp dport 9999 accept
  }
}
`
const FOREIGN_IPTABLES_RULE = ['-p', 'tcp', '--dport', '9998', '-m', 'comment', '--comment', 'foreign', '-j', 'ACCEPT']

const SAVED_STATE_APPLIED = /applied revision \d+ \(saved state, before connecting\)/
const CONNECTED = /connected to /
/** The client's `ip rule` priorities (DATAPLANE.md): 5000 is the gateway's LAN egress. */
const GATEWAY_RULE_PRIORITY = 5000
const CLIENT_RULE_PRIORITIES = [100, 5000, 5100, 5200]

async function foreignRules(ns: Namespace): Promise<{ nft: string; iptables: string }> {
  return {
    nft: await run(inNamespace(ns, ['nft', '-j', 'list', 'table', 'inet', 'foreign'])),
    iptables: await run(inNamespace(ns, ['iptables', '-S'])),
  }
}

/** The public ports the VPS must forward for these forwards, per protocol ('both' counts for each). */
function forwardedPorts(forwards: ForwardState[], protocol: Protocol): number[] {
  return forwards
    .filter((f) => f.protocol === protocol || f.protocol === 'both')
    .flatMap((f) => {
      const end = f.publicPortEnd ?? f.publicPort
      return Array.from({ length: end - f.publicPort + 1 }, (_, i) => f.publicPort + i)
    })
    .sort((a, b) => a - b)
}

// Each test waits on real traffic, bounded (10 s per condition): independent of the project's default timeout.
describe.skipIf(unavailable !== null)('the lab', { timeout: 60_000 }, () => {
  let lab: Lab
  const foreignBefore = new Map<Namespace, { nft: string; iptables: string }>()
  const forwards = new Map<string, PortForward>()
  const agents = () => [lab.vps, lab.homelab]

  beforeAll(async () => {
    lab = await Lab.up({
      beforeAgents: async () => {
        for (const ns of [NS.vps, NS.homelab]) {
          await run(inNamespace(ns, ['nft', '-f', '-']), { stdin: FOREIGN_TABLE })
          await run(inNamespace(ns, ['iptables', '-A', 'INPUT', ...FOREIGN_IPTABLES_RULE]))
          foreignBefore.set(ns, await foreignRules(ns))
        }
      },
    })
  }, 120_000)

  // Always, also when `up` failed halfway: nothing of the lab may outlive the file.
  afterAll(async () => {
    await Lab.down()
  }, 60_000)

  type ForwardSpec = Pick<PortForwardCreate, 'protocol' | 'publicPort' | 'destinationPort'> & Partial<PortForwardCreate>

  function forwardBody(spec: ForwardSpec): PortForwardCreate {
    return {
      tunnelServerId: lab.tunnelServer.id,
      tunnelClientId: lab.tunnelClient.id,
      destinationIp: lab.tunnelClient.tunnelIp!,
      preserveClientIp: true,
      description: `lab ${spec.protocol} ${spec.publicPort}`,
      ...spec,
    }
  }

  /** Creates the forward (once per protocol and public port in this file) and waits until both agents applied it. */
  async function useForward(spec: ForwardSpec): Promise<PortForward> {
    const key = `${spec.protocol} ${spec.publicPort}`
    let f = forwards.get(key)
    if (!f) {
      f = await lab.api.createForward(forwardBody(spec))
      forwards.set(key, f)
      await lab.waitConverged()
    }
    return f
  }

  /** Probes the VPS's public port from the internet host until the service answers; its reply. */
  function reach(protocol: Protocol, port: number, timeoutMs = 10_000): Promise<EchoReply> {
    return waitUntil(() => probe(NS.inet, protocol, ADDRESSES.vpsPublic, port), {
      timeoutMs,
      what: `an answer on ${protocol} ${ADDRESSES.vpsPublic}:${port} from ${NS.inet}`,
      detail: () => lab.diagnose(),
    })
  }

  /** Probes until nothing answers on the VPS's public port any more. */
  async function unreachable(protocol: Protocol, port: number, timeoutMs = 10_000): Promise<void> {
    await waitUntil(async () => (await probe(NS.inet, protocol, ADDRESSES.vpsPublic, port, 300)) === null, {
      timeoutMs,
      intervalMs: 20,
      what: `${protocol} ${ADDRESSES.vpsPublic}:${port} to stop answering`,
      detail: () => lab.diagnose(),
    })
  }

  async function nftTable(agent: LabAgent) {
    return parseNftListing(await agent.nft(['-j', 'list', 'table', 'inet', 'wirewarp']))
  }

  async function rulePriorities(): Promise<number[]> {
    return (JSON.parse(await lab.homelab.ip(['-j', 'rule'])) as { priority: number }[]).map((r) => r.priority)
  }

  /** Everything the agents configure that a re-apply must leave as it is: nft without handles, WireGuard without handshake times and byte counts. */
  async function dataPlane() {
    const out: Record<string, unknown> = {}
    for (const a of agents())
      out[a.name] = {
        nft: withoutHandles(await nftTable(a)),
        wg: wgDumpConfig(await a.wg(['show', 'wg0', 'dump'])),
        rules: await a.ip(['rule']),
        routes: await a.ip(['-4', 'route', 'show', 'table', 'all']),
      }
    return out
  }

  test('a. TCP and UDP forwards reach a homelab service through the VPS', async () => {
    await useForward({ protocol: 'tcp', publicPort: 25565, destinationPort: 25565 })
    await useForward({ protocol: 'udp', publicPort: 19132, destinationPort: 19132 })

    expect(await reach('tcp', 25565)).toEqual({ peer: ADDRESSES.inet, host: 'homelab', port: 25565 })
    expect(await reach('udp', 19132)).toEqual({ peer: ADDRESSES.inet, host: 'homelab', port: 19132 })
  })

  test('b. a UDP port range and tcp+udp on one port both forward', async () => {
    await useForward({ protocol: 'udp', publicPort: 27015, publicPortEnd: 27020, destinationPort: 27015 })
    await useForward({ protocol: 'both', publicPort: 7777, destinationPort: 7777 })

    for (const port of [27015, 27018, 27020])
      expect(await reach('udp', port)).toEqual({ peer: ADDRESSES.inet, host: 'homelab', port })
    expect(await reach('tcp', 7777)).toEqual({ peer: ADDRESSES.inet, host: 'homelab', port: 7777 })
    expect(await reach('udp', 7777)).toEqual({ peer: ADDRESSES.inet, host: 'homelab', port: 7777 })
  })

  test('c. a forward reaches the VM behind the homelab gateway', async () => {
    await useForward({ protocol: 'tcp', publicPort: 8080, destinationIp: ADDRESSES.vm, destinationPort: 8080 })
    await useForward({ protocol: 'udp', publicPort: 8081, destinationIp: ADDRESSES.vm, destinationPort: 8081 })

    expect(await reach('tcp', 8080)).toEqual({ peer: ADDRESSES.inet, host: 'vm', port: 8080 })
    expect(await reach('udp', 8081)).toEqual({ peer: ADDRESSES.inet, host: 'vm', port: 8081 })
  })

  test('d. with preserveClientIp the service sees the client; without, a tunnel address', async () => {
    await useForward({ protocol: 'tcp', publicPort: 25565, destinationPort: 25565 })
    await useForward({ protocol: 'udp', publicPort: 19132, destinationPort: 19132 })
    await useForward({ protocol: 'tcp', publicPort: 25566, destinationPort: 25565, preserveClientIp: false })
    await useForward({ protocol: 'udp', publicPort: 19133, destinationPort: 19132, preserveClientIp: false })

    expect((await reach('tcp', 25565)).peer).toBe(ADDRESSES.inet)
    expect((await reach('udp', 19132)).peer).toBe(ADDRESSES.inet)
    const tunnelAddress = /^10\.99\.0\.\d+$/
    expect((await reach('tcp', 25566)).peer).toMatch(tunnelAddress)
    expect((await reach('udp', 19133)).peer).toMatch(tunnelAddress)
  })

  test('a forward to a LAN host the client does not route for works through both NATs', async () => {
    // Its replies go to its own default route (the home router), so the real client IP cannot be
    // kept: the VPS and the homelab agent both masquerade, and it sees the homelab's LAN address.
    await useForward({
      protocol: 'tcp',
      publicPort: 8443,
      destinationIp: ADDRESSES.homerLan,
      destinationPort: 8443,
      preserveClientIp: false,
    })
    expect(await reach('tcp', 8443)).toEqual({ peer: ADDRESSES.homelabLan, host: 'lanhost', port: 8443 })
  })

  test('f. a disabled forward stops within 2 s, works again when enabled, and leaves no trace when deleted', async () => {
    const f = await useForward({ protocol: 'tcp', publicPort: 25570, destinationPort: 25565 })
    await reach('tcp', 25570)

    const t0 = Date.now()
    await lab.api.setForwardEnabled(f.id, false)
    await unreachable('tcp', 25570, 2000)
    expect(Date.now() - t0).toBeLessThan(2000)

    await lab.api.setForwardEnabled(f.id, true)
    expect((await reach('tcp', 25570)).host).toBe('homelab')

    await lab.api.deleteForward(f.id)
    forwards.delete('tcp 25570')
    await lab.waitConverged()
    await unreachable('tcp', 25570)
    for (const a of agents()) {
      const listing = await nftTable(a)
      for (const o of listing.nftables) {
        const c = ('map' in o ? o.map : 'set' in o ? o.set : undefined) as { name: string } | undefined
        if (c) expect(portsOf(listing, c.name), `${a.name}: ${c.name}`).not.toContain(25570)
      }
      expect(JSON.stringify(listing)).not.toContain(f.id)
    }
  })

  test('g. with the control server down, forwards keep working and a restarted agent restores them from disk', async () => {
    await useForward({ protocol: 'tcp', publicPort: 25565, destinationPort: 25565 })
    await useForward({ protocol: 'udp', publicPort: 19132, destinationPort: 19132 })
    await reach('tcp', 25565)

    await lab.server.stop()
    expect((await reach('tcp', 25565)).peer).toBe(ADDRESSES.inet)
    expect((await reach('udp', 19132)).peer).toBe(ADDRESSES.inet)

    // A crash, and what a reboot also loses: the WireGuard interface and the agent's table.
    const saved = agents().map((a) => a.count(SAVED_STATE_APPLIED))
    const connected = agents().map((a) => a.count(CONNECTED))
    for (const a of agents()) {
      await a.stop('SIGKILL')
      await a.ip(['link', 'del', 'wg0'])
      await a.nft(['delete', 'table', 'inet', 'wirewarp'])
    }
    await unreachable('tcp', 25565)

    for (const a of agents()) a.start()
    await Promise.all(agents().map((a, i) => a.waitForOutput(SAVED_STATE_APPLIED, saved[i]! + 1)))
    expect(lab.server.running).toBe(false)
    expect((await reach('tcp', 25565)).peer).toBe(ADDRESSES.inet)
    expect((await reach('udp', 19132)).peer).toBe(ADDRESSES.inet)

    await lab.server.start()
    // The agents back off while the server is away (1 s doubling): allow a few rounds.
    await Promise.all(agents().map((a, i) => a.waitForOutput(CONNECTED, connected[i]! + 1, 40_000)))
    await lab.waitConverged()
  }, 120_000)

  test('h. re-applying the same revision changes nothing; an agent killed mid-apply converges', async () => {
    await useForward({ protocol: 'tcp', publicPort: 25565, destinationPort: 25565 })
    await useForward({ protocol: 'udp', publicPort: 19132, destinationPort: 19132 })
    await lab.waitConverged()
    const before = await dataPlane()

    const saved = agents().map((a) => a.count(SAVED_STATE_APPLIED))
    const connected = agents().map((a) => a.count(CONNECTED))
    for (const a of agents()) await lab.api.agentCommand(a.agentId, 'restart')
    await Promise.all(agents().map((a, i) => a.waitForOutput(SAVED_STATE_APPLIED, saved[i]! + 1)))
    await Promise.all(agents().map((a, i) => a.waitForOutput(CONNECTED, connected[i]! + 1)))
    await lab.waitConverged()
    expect(await dataPlane()).toEqual(before)

    // Killed right after it saved the new state, while applying it (an apply takes hundreds of ms).
    const f = await lab.api.createForward(forwardBody({ protocol: 'tcp', publicPort: 25571, destinationPort: 25565 }))
    forwards.set('tcp 25571', f)
    const revision = await waitUntil(
      () => {
        const s = lab.vps.savedState()
        return s?.mode === 'server' && s.forwards.some((x) => x.id === f.id) && s.revision
      },
      { intervalMs: 1, what: 'the VPS agent to save the state with the new forward' },
    )
    await lab.vps.stop('SIGKILL')
    expect(lab.vps.output(), 'the apply finished before the kill').not.toContain(`applied revision ${revision} in`)
    const vpsConnected = lab.vps.count(CONNECTED)
    lab.vps.start()
    await lab.vps.waitForOutput(CONNECTED, vpsConnected + 1)
    await lab.waitConverged()

    expect((await reach('tcp', 25571)).host).toBe('homelab')
    const desired = await lab.api.desiredState(lab.vps.agentId)
    if (desired.mode !== 'server') throw new Error('the VPS agent got a client state')
    const listing = await nftTable(lab.vps)
    expect(portsOf(listing, 'dnat_tcp')).toEqual(forwardedPorts(desired.forwards, 'tcp'))
    expect(portsOf(listing, 'dnat_udp')).toEqual(forwardedPorts(desired.forwards, 'udp'))
  }, 60_000)

  test("e. a gateway's VM reaches the internet from the VPS address; with the gateway off, no longer", async () => {
    const seenFrom = (address: string) =>
      waitUntil(async () => (await probe(NS.vm, 'tcp', ADDRESSES.inet, INET_ECHO_PORT))?.peer === address, {
        what: `the VM's connection to the internet host to arrive from ${address}`,
        detail: () => lab.diagnose(),
      })

    await seenFrom(ADDRESSES.vpsPublic)
    expect(await rulePriorities()).toContain(GATEWAY_RULE_PRIORITY)

    await lab.api.updateTunnelClient(lab.tunnelClient.id, { isGateway: false })
    await lab.waitConverged()
    expect(await rulePriorities()).not.toContain(GATEWAY_RULE_PRIORITY)
    // The ordinary way out: the home router's NAT.
    await seenFrom(ADDRESSES.homerWan)

    await lab.api.updateTunnelClient(lab.tunnelClient.id, { isGateway: true })
    await lab.waitConverged()
    await seenFrom(ADDRESSES.vpsPublic)
  })

  test('forwards with the real client IP do not depend on the gateway role', async () => {
    await useForward({ protocol: 'tcp', publicPort: 25565, destinationPort: 25565 })
    await useForward({ protocol: 'udp', publicPort: 19132, destinationPort: 19132 })
    await lab.api.updateTunnelClient(lab.tunnelClient.id, { isGateway: false })
    try {
      await lab.waitConverged()
      expect((await reach('tcp', 25565)).peer).toBe(ADDRESSES.inet)
      expect((await reach('udp', 19132)).peer).toBe(ADDRESSES.inet)
    } finally {
      await lab.api.updateTunnelClient(lab.tunnelClient.id, { isGateway: true })
      await lab.waitConverged()
    }
  })

  test('i. a foreign nftables table and iptables rule survive every apply and the teardown', async () => {
    expect(foreignBefore.get(NS.vps)?.iptables).toContain('--comment foreign')
    for (const ns of [NS.vps, NS.homelab]) expect(await foreignRules(ns)).toEqual(foreignBefore.get(ns))

    for (const a of agents()) {
      await a.stop('SIGTERM')
      await a.cli(['teardown', '--config', a.config])
    }

    for (const ns of [NS.vps, NS.homelab]) expect(await foreignRules(ns)).toEqual(foreignBefore.get(ns))
    for (const a of agents()) {
      await expect(a.nft(['list', 'table', 'inet', 'wirewarp']), `${a.name}: table inet wirewarp`).rejects.toThrow()
      await expect(a.ip(['link', 'show', 'wg0']), `${a.name}: wg0`).rejects.toThrow()
    }
    expect((await rulePriorities()).filter((p) => CLIENT_RULE_PRIORITIES.includes(p))).toEqual([])
  })
})
