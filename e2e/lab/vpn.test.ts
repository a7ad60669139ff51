/**
 * The remote-access VPN end to end, on real traffic: in the lab (real control server, VPS agent,
 * homelab gateway agent with the VM network behind it), two laptops on the internet run their
 * devices' downloaded configs with the stock `wg-quick` (wireguard-go) and reach a service in the
 * site's network through the VPS; a drop rule for one user cuts that user's open connection within
 * 2 s while the other user's keeps going; with the default policy drop only an accept rule's
 * port gets through; a full-tunnel laptop reaches the internet from the VPS's public address; a
 * device's stats reach the API; deleting a device ends its tunnel. One lab for the whole file,
 * always taken down afterwards (with the laptops and their wireguard-go daemons).
 *
 * Laptop A: a user's device made with `generateKey` (the server returns the private key once)
 * and a preshared key, split tunnel (only the site's network). Laptop B: another user's device whose key pair the
 * laptop made (`wg genkey`), the private key put into the downloaded config by hand, full tunnel
 * (the default allowed IPs).
 *
 * Skipped when not root, without the tools or without a build; failing under CI=true instead.
 */
import type { Device, DeviceCreated, Rule, User } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Lab, labUnavailable, onPath } from './lab.ts'
import { Laptop } from './laptops.ts'
import { createTopology } from './netns.ts'
import { run } from './run.ts'
import { INET_ECHO_PORT, OpenConnection, probe, VM_STREAM_PORT } from './services.ts'
import { ADDRESSES, LAPTOP_TOPOLOGY, NS, VM_NETWORK } from './topology.ts'
import { waitUntil } from './waitUntil.ts'

const unavailable =
  labUnavailable() ?? (onPath('wg-quick') ? null : 'wg-quick not found (Debian: apt install wireguard-tools)')
if (unavailable && process.env.CI)
  test('the VPN lab can run in CI', () => {
    throw new Error(`cannot run the lab: ${unavailable}`)
  })

/** The VM's echo service (one line, then close) and the service that keeps a connection open. */
const VM_ECHO_PORT = 8080
/** What the VM sees: the homelab agent masquerades devices' traffic into its networks. */
const SEEN_FROM_SITE = ADDRESSES.homelabVmGateway
/** The drop rule must cut an open connection within this long after the API answered. */
const CUT_WITHIN_MS = 2000
/** Echoes come every 20 ms: this long without one means the connection is cut, not slow. */
const STALLED_MS = 600
const APPLIED = /applied revision \d+ in \d+ ms/

describe.skipIf(unavailable !== null)('the remote-access VPN in the lab', { timeout: 30_000 }, () => {
  let lab: Lab
  const laptopA = () => new Laptop(lab.dir, NS.laptopA, 'wwvpn-a')
  const laptopB = () => new Laptop(lab.dir, NS.laptopB, 'wwvpn-b')
  let deviceA: DeviceCreated
  let deviceB: DeviceCreated
  const open: OpenConnection[] = []

  beforeAll(async () => {
    // Metrics every 2 s: the devices' handshakes and traffic reach the API quickly.
    lab = await Lab.up({ metricsSeconds: 2 })
    await createTopology(LAPTOP_TOPOLOGY)
  }, 120_000)

  // Always, also when `up` failed halfway: the laptops' namespaces, their wireguard-go daemons
  // and the open connections go with the lab.
  afterAll(async () => {
    for (const c of open) await c.close().catch(() => {})
    await Lab.down()
  }, 60_000)

  const reachVm = (laptop: Laptop, timeoutMs = 10_000) =>
    waitUntil(() => probe(laptop.ns, 'tcp', ADDRESSES.vm, VM_ECHO_PORT), {
      timeoutMs,
      what: `an answer from the VM's service ${ADDRESSES.vm}:${VM_ECHO_PORT} on ${laptop.ns}`,
      detail: async () => `${await laptopState(laptop)}\n${await lab.diagnose()}`,
    })

  async function laptopState(laptop: Laptop): Promise<string> {
    const show = async (title: string, what: () => Promise<string>) =>
      `--- ${laptop.ns}: ${title}\n${(await what().catch((e: Error) => `(failed: ${e.message})`)).trim()}`
    return [
      await show('wg show', () => laptop.wg(['show'])),
      await show('ip rule', () => laptop.ip(['rule'])),
      await show('ip route show table all', () => laptop.ip(['route', 'show', 'table', 'all'])),
    ].join('\n')
  }

  /** The VPS agent's "applied revision N in X ms" lines after the first `since`. */
  const newApplies = (since: number) =>
    [...lab.vps.output().matchAll(new RegExp(APPLIED.source, 'g'))]
      .slice(since)
      .map((m) => m[0])
      .join(', ') || 'no apply logged yet'

  async function createUser(email: string): Promise<User> {
    return lab.api.request<User>('POST', '/api/v1/users', {
      email,
      name: email.split('@')[0],
      password: 'correct horse battery staple',
      role: 'user',
    })
  }

  /** The peers' public keys on the VPS's WireGuard. */
  async function vpsPeers(): Promise<string[]> {
    const dump = await lab.vps.wg(['show', 'wg0', 'dump'])
    return dump
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[0]!)
  }

  test("laptops run their downloaded configs with the stock wg-quick and reach the site's network", async () => {
    const userA = await createUser('alice@example.com')
    const userB = await createUser('bob@example.com')

    // A: the server makes the key and returns the whole config once; the download has no key.
    deviceA = await lab.api.request<DeviceCreated>('POST', '/api/v1/devices', {
      name: 'laptop a',
      tunnelServerId: lab.tunnelServer.id,
      userId: userA.id,
      generateKey: true,
      presharedKey: true,
      allowedIps: [VM_NETWORK],
    })
    expect(deviceA.privateKey).toMatch(/^[A-Za-z0-9+/]{43}=$/)
    expect(deviceA.config).toContain(`PrivateKey = ${deviceA.privateKey}`)
    const psk = /^PresharedKey = (\S+)$/m.exec(deviceA.config)?.[1]
    expect(psk, 'the preshared key in the config').toMatch(/^[A-Za-z0-9+/]{43}=$/)
    expect(await lab.api.text(`/api/v1/devices/${deviceA.id}/config`)).not.toMatch(/^PrivateKey/m)

    // B: the laptop makes its key pair; the server only ever sees the public key.
    const privateKey = (await run(['wg', 'genkey'])).trim()
    const publicKey = (await run(['wg', 'pubkey'], { stdin: `${privateKey}\n` })).trim()
    deviceB = await lab.api.request<DeviceCreated>('POST', '/api/v1/devices', {
      name: 'laptop b',
      tunnelServerId: lab.tunnelServer.id,
      userId: userB.id,
      publicKey,
    })
    expect(deviceB.privateKey).toBeNull()
    const downloaded = await lab.api.text(`/api/v1/devices/${deviceB.id}/config`)
    expect(downloaded).not.toContain(privateKey)
    const keyLine = /^# PrivateKey = .*$/m
    expect(downloaded, 'the download marks where the private key goes').toMatch(keyLine)
    const configB = downloaded.replace(keyLine, `PrivateKey = ${privateKey}`)

    for (const [d, config] of [
      [deviceA, deviceA.config],
      [deviceB, configB],
    ] as const) {
      expect(d.ipv4).toMatch(/^100\.96\.\d+\.\d+$/)
      expect(d.ipv4).not.toBe('100.96.0.1')
      expect(config).toContain(`Address = ${d.ipv4}/32`)
      expect(config).toContain(`Endpoint = ${ADDRESSES.vpsPublic}:`)
      // The lab's tunnel server has no DNS default: wg-quick needs no resolvconf.
      expect(config).not.toMatch(/^DNS =/m)
    }
    expect(deviceA.config).toContain(`AllowedIPs = ${VM_NETWORK}`)
    expect(configB).toMatch(/^AllowedIPs = 0\.0\.0\.0\/0/m)

    await lab.waitConverged()
    // The tunnel server takes the device network's first address; the route to the devices comes with it.
    expect(await lab.vps.ip(['-4', 'addr', 'show', 'wg0'])).toContain('inet 100.96.0.1/16')
    expect((await vpsPeers()).sort()).toEqual(expect.arrayContaining([deviceA.publicKey, deviceB.publicKey]))
    // The VPS uses the preshared key the config carries (a wrong one would fail the handshake below).
    const psks = new Map(
      (await lab.vps.wg(['show', 'wg0', 'preshared-keys']))
        .trim()
        .split('\n')
        .map((l) => l.split('\t') as [string, string]),
    )
    expect(psks.get(deviceA.publicKey)).toBe(psk)
    expect(psks.get(deviceB.publicKey)).toBe('(none)')

    await laptopA().up(deviceA.config)
    await laptopB().up(configB)
    // The first connection can wait for a WireGuard handshake retry (5 s): seen here with the
    // full-tunnel laptop, ~4 s now and then, the split-tunnel one at once.
    const replies = await Promise.all([laptopA(), laptopB()].map((laptop) => reachVm(laptop, 20_000)))
    for (const r of replies) expect(r).toEqual({ peer: SEEN_FROM_SITE, host: 'vm', port: VM_ECHO_PORT })
  }, 60_000)

  test("a drop rule for one user cuts that user's open connection within 2 s; the other user's keeps going", async () => {
    const a = await OpenConnection.open(lab.dir, 'laptop-a', NS.laptopA, ADDRESSES.vm, VM_STREAM_PORT)
    open.push(a)
    const b = await OpenConnection.open(lab.dir, 'laptop-b', NS.laptopB, ADDRESSES.vm, VM_STREAM_PORT)
    open.push(b)
    for (const c of [a, b]) expect(c.reply()?.peer).toBe(SEEN_FROM_SITE)

    const applies = lab.vps.count(APPLIED)
    const sent = Date.now()
    const rule = await lab.api.request<Rule>('POST', '/api/v1/rules', {
      action: 'drop',
      destination: VM_NETWORK,
      userId: deviceA.userId,
    })
    const answered = Date.now()

    // Cut: the echoes stop (the connection is not closed: its packets are dropped, not refused).
    await waitUntil(() => Date.now() - a.lastEchoAt() > STALLED_MS, {
      timeoutMs: CUT_WITHIN_MS + STALLED_MS + 2000,
      intervalMs: 20,
      what: "laptop A's open connection to stop getting through",
      detail: async () => `${a.tail()}\n${await lab.diagnose()}`,
    })
    const cutMs = a.lastEchoAt() - answered
    console.log(
      `drop rule: laptop A's open connection got its last echo ${cutMs} ms after the API answered ` +
        `(${a.lastEchoAt() - sent} ms after the request was sent; the API took ${answered - sent} ms; ` +
        `the VPS agent: ${newApplies(applies)})`,
    )
    expect(cutMs).toBeLessThan(CUT_WITHIN_MS)
    // It is the rule that cut it: the VPS holds it in A's user chain (renderVpnRuleset.ts).
    const chainA = `u_${deviceA.userId.replaceAll('-', '')}`
    expect(await lab.vps.nft(['list', 'chain', 'inet', 'wirewarp', chainA])).toContain(`ip daddr ${VM_NETWORK} drop`)
    expect(await probe(NS.laptopA, 'tcp', ADDRESSES.vm, VM_ECHO_PORT, 500), 'a new connection from laptop A').toBeNull()
    expect(a.ended()).toBeNull()

    // B: another user, the same destination: the open connection and new ones go on.
    const stalledAt = Date.now()
    await waitUntil(() => b.echoTimes().filter((t) => t > stalledAt).length >= 10, {
      timeoutMs: 3000,
      what: "laptop B's open connection to keep echoing",
      detail: () => b.tail(),
    })
    expect(Date.now() - b.lastEchoAt()).toBeLessThan(STALLED_MS)
    expect(b.ended()).toBeNull()
    expect((await reachVm(laptopB(), 3000)).peer).toBe(SEEN_FROM_SITE)
    await b.close()

    // The rule gone, A gets through again.
    await lab.api.request('DELETE', `/api/v1/rules/${rule.id}`, undefined, 204)
    expect((await reachVm(laptopA(), 5000)).peer).toBe(SEEN_FROM_SITE)
    await a.close()
  })

  test('with the default policy drop, only what an accept rule allows gets through', async () => {
    const noAnswer = (laptop: Laptop, port = VM_ECHO_PORT) =>
      waitUntil(async () => (await probe(laptop.ns, 'tcp', ADDRESSES.vm, port, 300)) === null, {
        timeoutMs: 5000,
        intervalMs: 20,
        what: `${laptop.ns} to get no answer from ${ADDRESSES.vm}:${port}`,
        detail: () => lab.diagnose(),
      })
    await lab.api.request('PATCH', '/api/v1/settings/vpn', { defaultPolicy: 'drop' })
    try {
      await noAnswer(laptopA())
      await noAnswer(laptopB())
      const rule = await lab.api.request<Rule>('POST', '/api/v1/rules', {
        action: 'accept',
        destination: VM_NETWORK,
        protocol: 'tcp',
        ports: String(VM_ECHO_PORT),
        userId: deviceB.userId,
      })
      expect((await reachVm(laptopB(), 5000)).peer).toBe(SEEN_FROM_SITE)
      // Only that port: the VM's other service stays out of reach, and A (no rule) gets nothing.
      await noAnswer(laptopB(), VM_STREAM_PORT)
      await noAnswer(laptopA())
      await lab.api.request('DELETE', `/api/v1/rules/${rule.id}`, undefined, 204)
    } finally {
      await lab.api.request('PATCH', '/api/v1/settings/vpn', { defaultPolicy: 'accept' })
    }
    for (const laptop of [laptopA(), laptopB()]) expect((await reachVm(laptop, 5000)).peer).toBe(SEEN_FROM_SITE)
  })

  test("a full-tunnel laptop reaches the internet from the VPS's public address; a split-tunnel one from its own", async () => {
    const seen = (laptop: Laptop, address: string) =>
      waitUntil(async () => (await probe(laptop.ns, 'tcp', ADDRESSES.inet, INET_ECHO_PORT))?.peer === address, {
        what: `${laptop.ns}'s connection to the internet host to arrive from ${address}`,
        detail: async () => `${await laptopState(laptop)}\n${await lab.diagnose()}`,
      })
    await seen(laptopB(), ADDRESSES.vpsPublic)
    await seen(laptopA(), ADDRESSES.laptopA)
  })

  test("a device's handshake and traffic show in the API after the agent's metrics cycle", async () => {
    const stats = await waitUntil(
      async () => {
        const d = await lab.api.request<Device>('GET', `/api/v1/devices/${deviceB.id}`)
        return d.stats.online && d.stats.rxBytes > 0 && d.stats.txBytes > 0 ? d.stats : null
      },
      { timeoutMs: 15_000, intervalMs: 250, what: "laptop B's stats (online, rx and tx) in GET /api/v1/devices/:id" },
    )
    expect(stats.endpoint).toMatch(new RegExp(`^${ADDRESSES.laptopB.replaceAll('.', '\\.')}:\\d+$`))
  })

  test('`nft flush ruleset` and a removed peer on the VPS are repaired within 60 s, and the repair is reported', async () => {
    const a = await OpenConnection.open(lab.dir, 'laptop-a-drift', NS.laptopA, ADDRESSES.vm, VM_STREAM_PORT)
    open.push(a)
    type AgentView = { lastRepair: { at: string; ok: boolean; items: { what: string; detail: string }[] } | null }
    const agentPath = `/api/v1/agents/${lab.vps.agentId}`
    const before = (await lab.api.request<AgentView>('GET', agentPath)).lastRepair?.at ?? null
    // Behind the agent's back, as a person or another tool on the VPS might.
    await lab.vps.nft(['flush', 'ruleset'])
    await lab.vps.wg(['set', 'wg0', 'peer', deviceA.publicKey, 'remove'])
    const tampered = Date.now()
    expect(await vpsPeers()).not.toContain(deviceA.publicKey)
    // The agent's own check, every 60 s (not the on-demand command): it repairs both.
    const repaired = await waitUntil(
      async () => {
        const r = (await lab.api.request<AgentView>('GET', agentPath)).lastRepair
        return r && r.at !== before ? r : null
      },
      {
        timeoutMs: 65_000,
        intervalMs: 250,
        what: 'a drift repair reported by the VPS agent',
        detail: async () => lab.vps.output().split('\n').slice(-30).join('\n'),
      },
    )
    console.log(
      `drift: repaired and reported ${Date.now() - tampered} ms after the tampering: ${JSON.stringify(repaired.items)}`,
    )
    expect(repaired.ok).toBe(true)
    expect(repaired.items.map((i) => i.what).sort()).toEqual(expect.arrayContaining(['nftables', 'wireguard']))
    expect(await vpsPeers()).toContain(deviceA.publicKey)
    expect(await lab.vps.nft(['list', 'table', 'inet', 'wirewarp'])).toContain('device_users4')
    // Laptop A's traffic flows again, through its user's rules as before.
    expect((await reachVm(laptopA(), 10_000)).peer).toBe(SEEN_FROM_SITE)
    const audit = await lab.api.request<{ items: { action: string }[] }>(
      'GET',
      '/api/v1/audit-log?action=agent.drift_repaired',
    )
    expect(audit.items.length).toBeGreaterThan(0)
  }, 90_000)

  test('deleting a device ends its tunnel', async () => {
    const b = await OpenConnection.open(lab.dir, 'laptop-b-2', NS.laptopB, ADDRESSES.vm, VM_STREAM_PORT)
    open.push(b)

    const applies = lab.vps.count(APPLIED)
    const sent = Date.now()
    await lab.api.request('DELETE', `/api/v1/devices/${deviceB.id}`, undefined, 204)
    const answered = Date.now()
    await waitUntil(() => Date.now() - b.lastEchoAt() > STALLED_MS, {
      timeoutMs: CUT_WITHIN_MS + STALLED_MS + 2000,
      intervalMs: 20,
      what: "laptop B's open connection to stop after its device was deleted",
      detail: async () => `${b.tail()}\n${await lab.diagnose()}`,
    })
    console.log(
      `device delete: laptop B's open connection got its last echo ${b.lastEchoAt() - answered} ms after the API ` +
        `answered (the API took ${answered - sent} ms; the VPS agent: ${newApplies(applies)})`,
    )
    await lab.waitConverged()
    expect(await vpsPeers()).not.toContain(deviceB.publicKey)
    expect(await vpsPeers()).toContain(deviceA.publicKey)
    // Its wg-quick is still up: every packet goes into a tunnel nobody answers any more.
    expect(await probe(NS.laptopB, 'tcp', ADDRESSES.vm, VM_ECHO_PORT, 1000)).toBeNull()
    expect(await probe(NS.laptopB, 'tcp', ADDRESSES.inet, INET_ECHO_PORT, 1000)).toBeNull()
    await lab.api.request('GET', `/api/v1/devices/${deviceB.id}`, undefined, 404)
    // The other device is untouched.
    expect((await reachVm(laptopA(), 3000)).peer).toBe(SEEN_FROM_SITE)
  })
})
