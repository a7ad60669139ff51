/**
 * The linux driver against a real kernel, nftables, iproute2, iptables and wireguard-go, inside a
 * throwaway network namespace. A holder process keeps the namespace and a private mount of
 * /var/run/wireguard (wireguard-go's sockets) alive; every command runs in both through
 * `nsenter -t HOLDER -m -n`. Skipped when not root or without `ip netns`; failing under CI=true.
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

const reason = await whyNetnsUnavailable(host, [['iptables', '--version']])
if (reason && process.env.CI === 'true')
  test('the network-namespace test runs in CI', () => {
    throw new Error(`cannot run the network-namespace test: ${reason}`)
  })

const HOMELAB = generateWgKeyPair()
const VPS = generateWgKeyPair()
/** The key the driver reads as the agent's own: the VPS's, then the homelab's for the client test. */
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
    {
      id: '3f2a1c4e-0000-4000-8000-000000000002',
      protocol: 'udp',
      publicPort: 27015,
      publicPortEnd: 27017,
      destinationIp: '192.168.78.10',
      destinationPort: 27015,
      via: '10.100.0.2',
      preserveClientIp: false,
    },
    {
      id: '3f2a1c4e-0000-4000-8000-000000000003',
      protocol: 'both',
      publicPort: 7777,
      publicPortEnd: null,
      destinationIp: '10.100.0.2',
      destinationPort: 7777,
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
  inboundForwards: [
    {
      id: 'udp-local',
      protocol: 'udp',
      publicPort: 19132,
      publicPortEnd: 19133,
      destinationIp: '10.100.0.2',
      destinationPort: 19132,
      via: '10.100.0.2',
      preserveClientIp: true,
    },
    {
      id: 'tcp-lan-host',
      protocol: 'tcp',
      publicPort: 3389,
      publicPortEnd: null,
      destinationIp: '198.51.100.50',
      destinationPort: 3389,
      via: '10.100.0.2',
      preserveClientIp: false,
    },
  ],
  gateway: { enabled: true, lanNetworks: ['192.168.78.0/24'], lanIp: '198.51.100.1' },
  deviceNetworks: [],
})

const CHANGING =
  /^(ip (-[46] )?(link (add|del|set)|addr (add|del)|route (replace|del)|rule (add|del))|wg (set|syncconf)|(setsid )?wireguard-go [^-]|iptables .* -[IDA] |nft -f)/

describe.skipIf(reason !== null)('linux driver in a network namespace', () => {
  const ns = `ww-drv-${randomBytes(4).toString('hex')}`
  let holder: ChildProcess | null = null
  let stateDir = ''
  let inNs: Run
  const commands: string[] = []
  let driver: LinuxDriver

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'wwa-netns-'))
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
    // ip netns exec, unshare and sh all exec: the holder's pid is the process inside both namespaces.
    const nsRun = createRunner({ prefix: ['nsenter', '-t', String(holder.pid), '-m', '-n'], timeoutMs: 10_000 })
    inNs = (argv, opts) => {
      commands.push(argv.join(' '))
      return nsRun(argv, opts)
    }
    // /proc/sys of the namespace, reached through the runner: the test process itself is outside.
    const files: HostFiles = {
      read: (p) => nsRun(['cat', p]).catch(() => null),
      write: async (p, text) => {
        await nsRun(['tee', p], { stdin: text })
      },
      exists: (p) =>
        nsRun(['test', '-e', p]).then(
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
      // Someone else's rules: at one of our priorities (another table) and at one of their own.
      ['ip', 'rule', 'add', 'priority', '5000', 'from', '172.16.0.0/12', 'lookup', '200'],
      ['ip', 'rule', 'add', 'priority', '1000', 'fwmark', '0x77', 'lookup', '77'],
      ['iptables', '-w', '5', '-A', 'INPUT', '-p', 'tcp', '--dport', '2222', '-j', 'ACCEPT'],
      // What Docker makes; the driver must add its accepts there and take them away again.
      ['iptables', '-w', '5', '-N', 'DOCKER-USER'],
    ])
      await nsRun(argv)
    await nsRun(['nft', '-f', '-'], {
      stdin: 'table inet foreign {\n  chain c {\n    type filter hook input priority 0; policy accept;\n  }\n}\n',
    })
    driver = new LinuxDriver({ stateDir, privateKey: async () => ownKey, run: inNs, files })
  })

  afterAll(async () => {
    // wireguard-go daemonizes into the namespace: end it by deleting its link, then end
    // whatever we started that is still in there, by pid.
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

  const look = async () => {
    const table = JSON.parse(await inNs(['nft', '-j', 'list', 'table', 'inet', 'wirewarp'])) as {
      nftables: Record<string, { handle?: number; name?: string }>[]
    }
    // Deleting and re-making the table in one transaction gives the table (only) a new handle.
    for (const item of table.nftables) if (item.table) delete item.table.handle
    // Handshake time and byte counters move on their own (a client keeps trying its endpoint).
    const dump = (await inNs(['wg', 'show', 'wg0', 'dump']))
      .split('\n')
      .map((line, i) =>
        i === 0
          ? line
          : line
              .split('\t')
              .filter((_, col) => col < 4 || col > 6)
              .join('\t'),
      )
      .join('\n')
    return { table, dump }
  }
  const foreign = async () => ({
    nft: await inNs(['nft', 'list', 'table', 'inet', 'foreign']),
    iptables: await inNs(['iptables', '-w', '5', '-S', 'INPUT']),
    rules: await inNs(['ip', 'rule', 'show']).then((t) =>
      t
        .split('\n')
        .filter((l) => /lookup (200|77)/.test(l))
        .join('\n'),
    ),
  })
  const ourRules = async () =>
    (await inNs(['ip', 'rule', 'show']))
      .split('\n')
      .filter((l) => /^(100|5000|5100|5200):/.test(l) && !/lookup 200/.test(l))
  const changing = (from: number) => commands.slice(from).filter((c) => CHANGING.test(c))

  test('server: apply twice changes nothing the second time; teardown removes only ours', async () => {
    const before = await foreign()
    await driver.apply(server(1))
    const first = await look()
    const mark = commands.length
    await driver.apply(server(2))
    expect(changing(mark)).toEqual(['nft -f -'])
    expect(await look()).toEqual(first)

    const dnat = await inNs(['nft', 'list', 'map', 'inet', 'wirewarp', 'dnat_udp'])
    expect(dnat).toContain('27015 : 192.168.78.10 . 27015')
    expect(dnat).toContain('27017 : 192.168.78.10 . 27017')
    expect(dnat).toContain('7777 : 10.100.0.2 . 7777')
    expect(await inNs(['nft', 'list', 'map', 'inet', 'wirewarp', 'dnat_tcp'])).toMatch(/25565 : 10\.100\.0\.2 \. 25565/)
    expect(await inNs(['nft', 'list', 'chain', 'inet', 'wirewarp', 'prerouting'])).toContain(
      'iifname "v-net" dnat ip to tcp dport map @dnat_tcp',
    )
    expect(first.dump).toContain(`${HOMELAB.publicKey}\t(none)\t(none)\t10.100.0.2/32,192.168.78.0/24\toff`)
    expect(await inNs(['ip', 'route', 'show', 'proto', '87'])).toBe('192.168.78.0/24 dev wg0 scope link \n')
    expect(await inNs(['cat', '/proc/sys/net/ipv4/ip_forward'])).toBe('1\n')
    expect(await inNs(['iptables', '-w', '5', '-S', 'DOCKER-USER'])).toBe(
      '-N DOCKER-USER\n-A DOCKER-USER -o wg0 -m comment --comment wirewarp -j ACCEPT\n-A DOCKER-USER -i wg0 -m comment --comment wirewarp -j ACCEPT\n',
    )
    expect(await foreign()).toEqual(before)
    expect(await driver.stats()).toEqual({
      peers: [{ publicKey: HOMELAB.publicKey, endpoint: null, latestHandshakeAt: null, rxBytes: 0, txBytes: 0 }],
      forwards: [1, 2, 3].map((n) => ({ id: `3f2a1c4e-0000-4000-8000-00000000000${n}`, packets: 0, bytes: 0 })),
    })
    expect(await driver.capabilities()).toMatchObject({ driver: 'linux', nft: '1.0.6', iptables: true, docker: true })

    await driver.teardown()
    expect(await inNs(['nft', 'list', 'tables'])).not.toContain('wirewarp')
    await expect(inNs(['ip', 'link', 'show', 'wg0'])).rejects.toThrow(/does not exist/)
    expect(await inNs(['ip', 'route', 'show', 'proto', '87'])).toBe('')
    expect(await inNs(['iptables', '-w', '5', '-S', 'DOCKER-USER'])).toBe('-N DOCKER-USER\n')
    expect(await foreign()).toEqual(before)
    // wireguard-go ended with its link: only the holder is left in the namespace.
    expect((await host(['ip', 'netns', 'pids', ns])).trim()).toBe(String(holder!.pid))
  })

  test('client: a mode switch clears the server setup; rules are made once; teardown removes them', async () => {
    const before = await foreign()
    await driver.apply(server(3))
    ownKey = HOMELAB.privateKey
    await driver.apply(client(4))
    expect(await inNs(['ip', 'route', 'show', 'proto', '87'])).toBe('')
    expect(await ourRules()).toEqual([
      '100:\tfrom all lookup main suppress_prefixlength 0',
      '5000:\tfrom 192.168.78.0/24 lookup 51820',
      '5100:\tfrom all fwmark 0x5157 lookup 51820',
      '5200:\tfrom all iif lo ipproto udp sport 19132-19133 lookup 51820',
    ])
    expect(await inNs(['ip', 'route', 'show', 'table', '51820'])).toBe('default dev wg0 proto 87 scope link \n')
    for (const [key, value] of [
      ['net/ipv4/conf/all/rp_filter', '2'],
      ['net/ipv4/conf/wg0/rp_filter', '2'],
      ['net/ipv4/conf/all/src_valid_mark', '1'],
    ])
      expect(await inNs(['cat', `/proc/sys/${key}`])).toBe(`${value}\n`)
    const nat = await inNs(['nft', 'list', 'chain', 'inet', 'wirewarp', 'postrouting'])
    expect(nat).toContain('iifname "wg0" ip daddr 198.51.100.50 tcp dport 3389 masquerade')

    const first = await look()
    const mark = commands.length
    await driver.apply(client(5))
    expect(changing(mark)).toEqual(['nft -f -'])
    expect(await look()).toEqual(first)
    expect(first.dump).toContain(`${VPS.publicKey}\t(none)\t198.51.100.1:51820\t0.0.0.0/0\t25`)
    // No routes from allowed IPs (0.0.0.0/0) in the main table.
    expect(await inNs(['ip', 'route', 'show', 'default'])).toBe('default via 198.51.100.254 dev v-net \n')

    await driver.apply({ ...client(6), wireguard: null })
    expect(await ourRules()).toEqual([])
    // Empty, or gone altogether once the kernel drops the table.
    expect(await inNs(['ip', 'route', 'show', 'table', '51820']).catch(() => '')).toBe('')
    await expect(inNs(['ip', 'link', 'show', 'wg0'])).rejects.toThrow(/does not exist/)
    expect(await inNs(['nft', 'list', 'tables'])).not.toContain('wirewarp')
    expect(await foreign()).toEqual(before)
  })
})
