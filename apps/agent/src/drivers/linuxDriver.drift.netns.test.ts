/**
 * The linux driver's drift check against a real kernel, nftables and wireguard-go in a throwaway
 * network namespace (set up as in linuxDriver.netns.test.ts): what someone changes behind the
 * driver's back (`nft flush ruleset`, `wg set … peer … remove`, `ip rule del`) is found, put back
 * and reported; a second check finds nothing. Skipped when not root or without `ip netns`;
 * failing under CI=true.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type ClientState, EMPTY_VPN_STATE, type ServerState } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { HostFiles } from '../apply/hostFiles.ts'
import { createRunner, type Run } from '../exec/run.ts'
import { whyNetnsUnavailable } from '../testing/netnsPrerequisites.ts'
import { generateWgKeyPair } from '../wireguardKeys.ts'
import { LinuxDriver } from './linuxDriver.ts'

const host = createRunner({ timeoutMs: 10_000 })

const reason = await whyNetnsUnavailable(host)
if (reason && process.env.CI === 'true')
  test('the network-namespace drift test runs in CI', () => {
    throw new Error(`cannot run the network-namespace test: ${reason}`)
  })

const HOMELAB = generateWgKeyPair()
const LAPTOP = generateWgKeyPair()
const VPS = generateWgKeyPair()
let ownKey = VPS.privateKey

const server = (revision: number): ServerState => ({
  mode: 'server',
  epoch: '',
  revision,
  wireguard: {
    name: 'wg0',
    addresses: ['10.100.0.1/24'],
    listenPort: 51820,
    mtu: 1420,
    peers: [
      {
        name: 'homelab',
        publicKey: HOMELAB.publicKey,
        allowedIps: ['10.100.0.2/32', '192.168.78.0/24'],
        endpoint: null,
        persistentKeepalive: 0,
      },
      {
        name: 'laptop',
        publicKey: LAPTOP.publicKey,
        allowedIps: ['10.100.0.3/32'],
        endpoint: null,
        persistentKeepalive: 0,
      },
    ],
  },
  publicInterface: null,
  publicIp: '198.51.100.1',
  tunnelNetworks: ['10.100.0.0/24'],
  forwards: [
    {
      id: '3f2a1c4e-0000-4000-8000-000000000001',
      protocol: 'tcp',
      publicPort: 25565,
      publicPortEnd: null,
      destinationIp: '10.100.0.2',
      destinationPort: 25565,
      via: '10.100.0.2',
      preserveClientIp: true,
    },
  ],
  masqueradeSources: ['10.100.0.2/32', '192.168.78.0/24'],
  vpn: EMPTY_VPN_STATE,
})

const client = (revision: number): ClientState => ({
  mode: 'client',
  epoch: '',
  revision,
  wireguard: {
    name: 'wg0',
    addresses: ['10.100.0.2/24'],
    listenPort: null,
    mtu: 1420,
    peers: [
      {
        name: 'vps',
        publicKey: VPS.publicKey,
        allowedIps: ['0.0.0.0/0'],
        endpoint: '198.51.100.1:51820',
        persistentKeepalive: 25,
      },
    ],
  },
  tunnelNetworks: ['10.100.0.0/24'],
  inboundForwards: [],
  gateway: { enabled: true, lanNetworks: ['192.168.78.0/24'], lanIp: '198.51.100.1' },
  deviceNetworks: [],
})

describe.skipIf(reason !== null)('linux driver drift check in a network namespace', () => {
  const ns = `ww-drift-${randomBytes(4).toString('hex')}`
  let holder: ChildProcess | null = null
  let stateDir = ''
  let inNs: Run
  let driver: LinuxDriver

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'wwa-drift-netns-'))
    await host(['ip', 'netns', 'add', ns])
    holder = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
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
    await new Promise<void>((resolve, reject) => {
      holder!.once('error', reject)
      holder!.once('exit', (code) => reject(new Error(`the namespace holder exited (${code})`)))
      holder!.stdout!.once('data', () => resolve())
    })
    inNs = createRunner({ prefix: ['nsenter', '-t', String(holder.pid), '-m', '-n'], timeoutMs: 10_000 })
    const files: HostFiles = {
      read: (p) => inNs(['cat', p]).catch(() => null),
      write: async (p, text) => {
        await inNs(['tee', p], { stdin: text })
      },
      exists: (p) =>
        inNs(['test', '-e', p]).then(
          () => true,
          () => false,
        ),
    }
    for (const argv of [
      ['ip', 'link', 'set', 'lo', 'up'],
      ['ip', 'link', 'add', 'v-net', 'type', 'veth', 'peer', 'name', 'v-up'],
      ['ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'v-net'],
      ['ip', 'link', 'set', 'v-net', 'up'],
      ['ip', 'link', 'set', 'v-up', 'up'],
      ['ip', 'route', 'add', 'default', 'via', '198.51.100.254', 'dev', 'v-net'],
    ])
      await inNs(argv)
    driver = new LinuxDriver({ stateDir, privateKey: async () => ownKey, run: inNs, files })
  })

  afterAll(async () => {
    if (holder?.pid)
      await host(['nsenter', '-t', String(holder.pid), '-m', '-n', 'ip', 'link', 'del', 'wg0']).catch(() => {})
    const pids = await host(['ip', 'netns', 'pids', ns]).catch(() => '')
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {}
    }
    holder?.kill('SIGKILL')
    await host(['ip', 'netns', 'del', ns]).catch(() => {})
    if (stateDir) await rm(stateDir, { recursive: true, force: true })
  })

  const table = () => inNs(['nft', '-s', 'list', 'table', 'inet', 'wirewarp'])
  const peers = async () => (await inNs(['wg', 'show', 'wg0', 'peers'])).split('\n').filter(Boolean).sort()

  test('server: a flushed ruleset and a removed peer are repaired and reported; then nothing is found', async () => {
    await driver.apply(server(1))
    await driver.settle()
    const applied = { table: await table(), peers: await peers() }
    expect(await driver.checkDrift()).toEqual({ items: [] })

    await inNs(['nft', 'flush', 'ruleset'])
    await inNs(['wg', 'set', 'wg0', 'peer', HOMELAB.publicKey, 'remove'])
    const report = await driver.checkDrift()
    expect(report).toEqual({
      items: [
        { what: 'nftables', detail: 'table inet wirewarp missing' },
        // Its route stays: it goes with the interface, not with the peer.
        { what: 'wireguard', detail: '1 peer missing' },
      ],
    })
    expect(JSON.stringify(report)).not.toContain(HOMELAB.publicKey)
    expect({ table: await table(), peers: await peers() }).toEqual(applied)
    expect(await inNs(['ip', 'route', 'show', 'proto', '87'])).toBe('192.168.78.0/24 dev wg0 scope link \n')
    expect(await driver.checkDrift()).toEqual({ items: [] })

    // An edit inside the table (not a flush) is found as a change, and a peer someone added is taken out.
    await inNs(['nft', 'add', 'rule', 'inet', 'wirewarp', 'forward', 'ip', 'saddr', '192.0.2.66', 'drop'])
    await inNs(['wg', 'set', 'wg0', 'peer', generateWgKeyPair().publicKey, 'allowed-ips', '10.100.0.99/32'])
    expect((await driver.checkDrift()).items).toEqual([
      { what: 'nftables', detail: 'table inet wirewarp changed (1 line added)' },
      { what: 'wireguard', detail: '1 unknown peer' },
    ])
    expect({ table: await table(), peers: await peers() }).toEqual(applied)
    expect(await driver.checkDrift()).toEqual({ items: [] })
  })

  test('client: a deleted rule, a flushed table and a deleted interface come back', async () => {
    ownKey = HOMELAB.privateKey
    await driver.apply(client(2))
    await driver.settle()
    const rules = await inNs(['ip', 'rule', 'show'])
    expect(await driver.checkDrift()).toEqual({ items: [] })

    await inNs(['ip', 'rule', 'del', 'priority', '5100'])
    await inNs(['nft', 'flush', 'ruleset'])
    expect((await driver.checkDrift()).items).toEqual([
      { what: 'rules', detail: '1 command to restore: ip -4 rule add priority 5100 fwmark 0x5157 lookup 51820' },
      { what: 'nftables', detail: 'table inet wirewarp missing' },
    ])
    expect(await inNs(['ip', 'rule', 'show'])).toBe(rules)

    await inNs(['ip', 'link', 'del', 'wg0'])
    const items = (await driver.checkDrift()).items
    // The new interface starts with the kernel's defaults: its rp_filter is set again.
    expect(items).toEqual([
      { what: 'wireguard', detail: 'interface wg0 missing' },
      { what: 'sysctls', detail: 'set again: net.ipv4.conf.wg0.rp_filter' },
      { what: 'routes', detail: '1 command to restore: ip -4 route replace default dev wg0 table 51820 proto 87' },
    ])
    expect(await inNs(['ip', 'route', 'show', 'table', '51820'])).toBe('default dev wg0 proto 87 scope link \n')
    expect(await peers()).toEqual([VPS.publicKey])
    expect(await driver.checkDrift()).toEqual({ items: [] })
    await driver.teardown()
  })
})
