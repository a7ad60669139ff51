import { readFileSync, statSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Capabilities, type ClientState, ServerState } from '@wirewarp/protocol'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { fakeFiles, fakeRun } from '../testing/fakeRun.ts'
import { LinuxDriver } from './linuxDriver.ts'

const KEY = 'QMlBs8vROPeTvlUSEbqvhjjWqJ8hAnOAiH8+dO9NQXU='
const HOMELAB = 'ABihVnqGng98ymmkDSq2kjXl9gz5SVxli6sDt3sE71M='
const VPS = 'i045/yAJQLzncNTga8ZGOlNQa9lKx4D/9hsfmpTy8FU='

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-linux-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const server: ServerState = ServerState.parse({
  mode: 'server',
  revision: 1,
  wireguard: {
    name: 'wg0',
    addresses: ['10.100.0.1/24'],
    listenPort: 51820,
    mtu: 1420,
    peers: [
      {
        name: 'homelab',
        publicKey: HOMELAB,
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
      id: 'a1b2',
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
})

const client: ClientState = {
  mode: 'client',
  epoch: '',
  revision: 1,
  wireguard: {
    name: 'wg0',
    addresses: ['10.100.0.2/24'],
    listenPort: null,
    mtu: 1420,
    peers: [
      {
        name: 'vps',
        publicKey: VPS,
        allowedIps: ['0.0.0.0/0'],
        endpoint: '198.51.100.1:51820',
        persistentKeepalive: 25,
      },
    ],
  },
  tunnelNetworks: ['10.100.0.0/24'],
  inboundForwards: [
    {
      id: 'g1',
      protocol: 'udp',
      publicPort: 19132,
      publicPortEnd: null,
      destinationIp: '10.100.0.2',
      destinationPort: 19132,
      via: '10.100.0.2',
      preserveClientIp: true,
    },
  ],
  gateway: { enabled: true, lanNetworks: ['192.168.78.0/24'], lanIp: '192.168.77.2' },
  deviceNetworks: [],
}

const noTable = { fail: 'Error: No such file or directory\nlist counters table inet wirewarp', exitCode: 1 }
const noFib = (f: 4 | 6) => ({ fail: `Error: ipv${f}: FIB table does not exist.\nDump terminated`, exitCode: 2 })

/** Answers of a host with nothing of ours on it (IPv4 only, no kernel WireGuard, no Docker). */
function emptyHost() {
  const files = fakeFiles({ '/proc/sys/net/ipv4/ip_forward': '0\n' })
  const f = fakeRun({
    'ip -j -d link show dev wg0': { fail: 'Device "wg0" does not exist.' },
    'ip link add wg0 type wireguard': { fail: 'Error: Unknown device type.', exitCode: 2 },
    'wg show interfaces': 'wg0\n',
    'wg show wg0 dump': '(none)\t(none)\t0\toff\n',
    'ip -j addr show dev wg0': JSON.stringify([{ flags: ['POINTOPOINT', 'NOARP'], mtu: 1420, addr_info: [] }]),
    'ip -j -4 route show table main proto 87': '[]',
    'ip -j -4 route show default': JSON.stringify([{ dst: 'default', gateway: '198.51.100.254', dev: 'v-net' }]),
    'nft -j list counters table inet wirewarp': noTable,
    'iptables -w 5 -S DOCKER-USER': { fail: 'iptables: No chain/target/match by that name.' },
    'ip -j -4 rule show': '[]',
    'ip -j -4 route show table 51820 proto 87': noFib(4),
  })
  return { f, files }
}

test('server: first apply builds everything, the second only reads and reloads the table', async () => {
  const { f, files } = emptyHost()
  const conf = path.join(dir, 'wg-syncconf.conf')
  let synced = ''
  f.answers.set(`wg syncconf wg0 ${conf}`, () => {
    synced = `${(statSync(conf).mode & 0o777).toString(8)} ${readFileSync(conf, 'utf8')}`
    return ''
  })
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  await d.apply(server)
  await d.settle()
  expect(synced).toBe(
    `600 [Interface]\nPrivateKey = ${KEY}\nListenPort = 51820\n\n[Peer]\n# homelab\nPublicKey = ${HOMELAB}\nAllowedIPs = 10.100.0.2/32, 192.168.78.0/24\n`,
  )
  expect(f.lines()).toEqual([
    // The table first: a VPN device becomes a peer only once its user's rules are live.
    'ip -j -4 route show default',
    'nft -j list counters table inet wirewarp',
    'nft -f -',
    'ip -j -d link show dev wg0',
    'ip link add wg0 type wireguard',
    'setsid wireguard-go wg0',
    'wg show interfaces',
    'wg show wg0 dump',
    `wg syncconf wg0 ${path.join(dir, 'wg-syncconf.conf')}`,
    'ip -j addr show dev wg0',
    'ip -4 addr add 10.100.0.1/24 dev wg0',
    'ip link set dev wg0 up',
    'ip -j -4 route show table main proto 87',
    'ip -4 route replace 192.168.78.0/24 dev wg0 table main proto 87',
    'iptables -w 5 -S DOCKER-USER',
    // The drift check's baseline.
    'nft -s list table inet wirewarp',
  ])
  // The private key never goes into argv; the config file it went through is gone.
  expect(f.calls.every((c) => !c.argv.join(' ').includes(KEY))).toBe(true)
  await expect(readFile(path.join(dir, 'wg-syncconf.conf'))).rejects.toThrow(/ENOENT/)
  expect(f.calls.find((c) => c.argv[0] === 'nft' && c.argv[1] === '-f')?.stdin).toContain(
    'iifname "v-net" dnat ip to tcp dport map @dnat_tcp',
  )
  expect(files.writes).toEqual(['/proc/sys/net/ipv4/ip_forward=1'])
  expect(JSON.parse(await readFile(path.join(dir, 'linux-driver.json'), 'utf8'))).toEqual({
    mode: 'server',
    interface: 'wg0',
  })

  // The host now holds what the first apply made.
  f.calls.length = 0
  f.answers.set('ip -j -d link show dev wg0', JSON.stringify([{ ifname: 'wg0', linkinfo: { info_kind: 'tun' } }]))
  f.answers.set(
    'wg show wg0 dump',
    `${KEY}\tPUB\t51820\toff\n${HOMELAB}\t(none)\t203.0.113.9:5555\t10.100.0.2/32,192.168.78.0/24\t0\t0\t0\toff\n`,
  )
  f.answers.set(
    'ip -j addr show dev wg0',
    JSON.stringify([
      {
        flags: ['POINTOPOINT', 'NOARP', 'UP'],
        mtu: 1420,
        addr_info: [{ local: '10.100.0.1', prefixlen: 24, scope: 'global' }],
      },
    ]),
  )
  f.answers.set('ip -j -4 route show table main proto 87', JSON.stringify([{ dst: '192.168.78.0/24', dev: 'wg0' }]))
  f.answers.set(
    'nft -j list counters table inet wirewarp',
    JSON.stringify({
      nftables: [
        { counter: { family: 'inet', name: 'f_a1b2', table: 'wirewarp', comment: 'a1b2', packets: 3, bytes: 180 } },
      ],
    }),
  )
  await d.apply({ ...server, revision: 2 })
  await d.settle()
  expect(f.lines()).toEqual([
    'ip -j -4 route show default',
    'nft -j list counters table inet wirewarp',
    'nft -f -',
    'ip -j -d link show dev wg0',
    'wg show interfaces',
    'wg show wg0 dump',
    'ip -j addr show dev wg0',
    'ip -j -4 route show table main proto 87',
    'iptables -w 5 -S DOCKER-USER',
    'nft -s list table inet wirewarp',
  ])
  expect(files.writes).toEqual(['/proc/sys/net/ipv4/ip_forward=1'])
  expect(f.calls.find((c) => c.argv.join(' ') === 'nft -f -')?.stdin).toContain(
    'counter f_a1b2 {\n    comment "a1b2"\n    packets 3 bytes 180\n  }',
  )

  expect(await d.stats()).toEqual({
    peers: [{ publicKey: HOMELAB, endpoint: '203.0.113.9:5555', latestHandshakeAt: null, rxBytes: 0, txBytes: 0 }],
    forwards: [{ id: 'a1b2', packets: 3, bytes: 180 }],
  })
})

test('client: rules and table 51820 are made once; a second apply changes no rule or route', async () => {
  const { f, files } = emptyHost()
  files.files.set('/proc/sys/net/ipv4/conf/all/rp_filter', '1\n')
  files.files.set('/proc/sys/net/ipv4/conf/wg0/rp_filter', '0\n')
  files.files.set('/proc/sys/net/ipv4/conf/all/src_valid_mark', '0\n')
  f.answers.set('ip -j addr show', JSON.stringify([{ addr_info: [{ local: '127.0.0.1' }, { local: '192.168.77.2' }] }]))
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  await d.apply(client)
  await d.settle()
  const mutating = (lines: string[]) =>
    lines.filter((l) => / (add|del|replace|set|syncconf) /.test(l) || l === 'nft -f -')
  expect(mutating(f.lines())).toEqual([
    'ip link add wg0 type wireguard',
    `wg syncconf wg0 ${path.join(dir, 'wg-syncconf.conf')}`,
    'ip -4 addr add 10.100.0.2/24 dev wg0',
    'ip link set dev wg0 up',
    'ip -4 route replace default dev wg0 table 51820 proto 87',
    'ip -4 rule add priority 100 lookup main suppress_prefixlength 0',
    'ip -4 rule add priority 5000 from 192.168.78.0/24 lookup 51820',
    'ip -4 rule add priority 5100 fwmark 0x5157 lookup 51820',
    'ip -4 rule add priority 5200 iif lo ipproto udp sport 19132 lookup 51820',
    'nft -f -',
  ])
  expect(files.writes).toEqual([
    '/proc/sys/net/ipv4/ip_forward=1',
    '/proc/sys/net/ipv4/conf/all/rp_filter=2',
    '/proc/sys/net/ipv4/conf/wg0/rp_filter=2',
    '/proc/sys/net/ipv4/conf/all/src_valid_mark=1',
  ])

  f.calls.length = 0
  files.writes.length = 0
  f.answers.set('ip -j -d link show dev wg0', JSON.stringify([{ ifname: 'wg0', linkinfo: { info_kind: 'tun' } }]))
  f.answers.set(
    'wg show wg0 dump',
    `${KEY}\tPUB\t43210\toff\n${VPS}\t(none)\t198.51.100.1:51820\t0.0.0.0/0\t0\t0\t0\t25\n`,
  )
  f.answers.set(
    'ip -j addr show dev wg0',
    JSON.stringify([
      { flags: ['UP'], mtu: 1420, addr_info: [{ local: '10.100.0.2', prefixlen: 24, scope: 'global' }] },
    ]),
  )
  f.answers.set('ip -j -4 route show table 51820 proto 87', JSON.stringify([{ dst: 'default', dev: 'wg0' }]))
  f.answers.set(
    'ip -j -4 rule show',
    JSON.stringify([
      { priority: 0, src: 'all', table: 'local' },
      { priority: 100, src: 'all', table: 'main', suppress_prefixlen: 0 },
      { priority: 5000, src: '192.168.78.0', srclen: 24, table: '51820' },
      { priority: 5100, src: 'all', fwmark: '0x5157', table: '51820' },
      { priority: 5200, src: 'all', iif: 'lo', ipproto: 'udp', sport: 19132, table: '51820' },
    ]),
  )
  await d.apply(client)
  await d.settle()
  expect(mutating(f.lines())).toEqual(['nft -f -'])
  expect(files.writes).toEqual([])
})

test('a detached client tears down; a mode switch tears down the old setup first', async () => {
  const { f, files } = emptyHost()
  await writeFile(path.join(dir, 'linux-driver.json'), JSON.stringify({ mode: 'server', interface: 'wg7' }))
  f.answers.set('ip -j -d link show dev wg7', JSON.stringify([{ ifname: 'wg7', linkinfo: { info_kind: 'wireguard' } }]))
  f.answers.set('wg show interfaces', 'wg7\n')
  f.answers.set('ip -j -4 route show table main proto 87', JSON.stringify([{ dst: '192.168.78.0/24', dev: 'wg7' }]))
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  await d.apply({ ...client, wireguard: null })
  await d.settle()
  expect(f.lines()).toEqual([
    'nft -f -',
    'ip -j -4 rule show',
    'ip -j -4 route show table 51820 proto 87',
    'ip -j -4 route show table main proto 87',
    'ip -4 route del 192.168.78.0/24 dev wg7 table main proto 87',
    'iptables -w 5 -S DOCKER-USER',
    'ip -j -d link show dev wg7',
    'wg show interfaces',
    'ip link del dev wg7',
  ])
  expect(f.calls[0]?.stdin).toBe('table inet wirewarp {}\ndelete table inet wirewarp\n')
  await expect(readFile(path.join(dir, 'linux-driver.json'), 'utf8')).rejects.toThrow(/ENOENT/)
})

test('a failing command fails the apply with its argv and stderr', async () => {
  const { f, files } = emptyHost()
  f.answers.set('nft -f -', { fail: 'Error: Could not process rule: No such file or directory' })
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  await expect(d.apply(server)).rejects.toThrow(
    '`nft -f -` failed: exit code 1: Error: Could not process rule: No such file or directory',
  )
})

test('capabilities fit the protocol, whatever `nft --version` prints', async () => {
  const { f, files } = emptyHost()
  f.answers.set('nft --version', `nftables v1.${'0'.repeat(400)} (odd build)\n`)
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  const caps = await d.capabilities()
  expect(Capabilities.safeParse(caps).error?.issues ?? []).toEqual([])
  expect(caps.nft).toMatch(/^1\.0+$/)
})

test('capabilities never change the host', async () => {
  const { f, files } = emptyHost()
  f.answers.set('nft --version', 'nftables v1.0.6 (Lester Gooch #5)\n')
  f.answers.set('iptables --version', 'iptables v1.8.9 (nf_tables)\n')
  files.files.set('/proc/net/if_inet6', '')
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  expect(await d.capabilities()).toEqual({
    driver: 'linux',
    wireguard: 'userspace',
    nft: '1.0.6',
    ipv6: true,
    docker: false,
    iptables: true,
  })
  expect(f.lines().sort()).toEqual([
    'iptables --version',
    'iptables -w 5 -S DOCKER-USER',
    'nft --version',
    'wireguard-go --version',
  ])
})

test('diagnostics name a command whose output cannot be read, and still answer', async () => {
  const { f, files } = emptyHost()
  f.answers.set('ip -j -4 rule show', '[{"priority":"100"}]')
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  const diag = await d.diagnostics()
  expect(diag.rules).toEqual([
    expect.stringMatching(/^unavailable: cannot read the output of `ip -j -4 rule show`: 0\.priority: /),
  ])
})

test('server with VPN devices: preshared keys go through 0600 files only, never argv', async () => {
  const PSK = 'L5Nvd6EjK1mA3Gp0/cDnq1XkXtM1mVwVqW0W7ZzJf0s='
  const PSK2 = 'hjDx0n3Y2V4sXH7nUwYd4u0fM8N7qkz1yq6sL2c9wUQ='
  const DEVICE = 'cCoE/D1TPIhzqaUOwEgkrYay5ZVIQOrITq80o0105Ec='
  const user = '0b6f3a52-8c1e-4d7a-9f00-1a2b3c4d5e6f'
  const vpnState = (presharedKey: string | null): ServerState => ({
    ...server,
    vpn: {
      deviceNetworks: ['100.96.0.0/16'],
      defaultPolicy: 'drop',
      devices: [{ publicKey: DEVICE, presharedKey, addresses: ['100.96.3.7/32'], user }],
      users: [{ id: user, rules: [] }],
    },
  })
  const { f, files } = emptyHost()
  const conf = path.join(dir, 'wg-syncconf.conf')
  let synced = ''
  f.answers.set(`wg syncconf wg0 ${conf}`, () => {
    synced = readFileSync(conf, 'utf8')
    return ''
  })
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  await d.apply(vpnState(PSK))
  await d.settle()
  expect(synced).toContain(
    `[Peer]\n# device of user ${user}\nPublicKey = ${DEVICE}\nPresharedKey = ${PSK}\nAllowedIPs = 100.96.3.7/32\n`,
  )
  expect(f.lines()).toContain('ip -4 route replace 100.96.0.0/16 dev wg0 table main proto 87')

  // The key changes: a delta (only the device changed), one `wg set` with the new key in a file
  // that exists only while it runs, and no full reload of the table or dump of the interface.
  f.calls.length = 0
  f.answers.set(
    'wg show wg0 dump',
    `${KEY}\tPUB\t51820\toff\n${HOMELAB}\t(none)\t(none)\t10.100.0.2/32,192.168.78.0/24\t0\t0\t0\toff\n${DEVICE}\t${PSK}\t(none)\t100.96.3.7/32\t0\t0\t0\toff\n`,
  )
  const keyFile = path.join(dir, 'wg-keys', '0.psk')
  let seen = ''
  const setLine = `wg set wg0 peer ${DEVICE} allowed-ips 100.96.3.7/32 preshared-key ${keyFile} persistent-keepalive off`
  f.answers.set(setLine, () => {
    seen = `${(statSync(keyFile).mode & 0o777).toString(8)} ${(statSync(path.dirname(keyFile)).mode & 0o777).toString(8)} ${readFileSync(keyFile, 'utf8')}`
    return ''
  })
  await d.apply(vpnState(PSK2))
  await d.settle()
  expect(f.lines()).toContain(setLine)
  expect(f.lines().filter((l) => l.startsWith('wg show') || l.startsWith('nft -j list counters'))).toEqual([])
  expect(seen).toBe(`600 700 ${PSK2}\n`)
  await expect(readFile(keyFile)).rejects.toThrow(/ENOENT/)
  await expect(readFile(path.dirname(keyFile))).rejects.toThrow(/ENOENT/)

  // Removed: /dev/null; and no preshared key was ever in argv or on stdin.
  f.calls.length = 0
  await d.apply(vpnState(null))
  await d.settle()
  expect(f.lines()).toContain(
    `wg set wg0 peer ${DEVICE} allowed-ips 100.96.3.7/32 preshared-key /dev/null persistent-keepalive off`,
  )
  expect(f.calls.every((c) => !`${c.argv.join(' ')} ${c.stdin ?? ''}`.match(/L5Nvd6|hjDx0n/))).toBe(true)
})

test('a failing wg set names the command but never the preshared key', async () => {
  const PSK = 'L5Nvd6EjK1mA3Gp0/cDnq1XkXtM1mVwVqW0W7ZzJf0s='
  const DEVICE = 'cCoE/D1TPIhzqaUOwEgkrYay5ZVIQOrITq80o0105Ec='
  const user = '0b6f3a52-8c1e-4d7a-9f00-1a2b3c4d5e6f'
  const { f, files } = emptyHost()
  f.answers.set(
    'wg show wg0 dump',
    `${KEY}\tPUB\t51820\toff\n${HOMELAB}\t(none)\t(none)\t10.100.0.2/32,192.168.78.0/24\t0\t0\t0\toff\n`,
  )
  const keyFile = path.join(dir, 'wg-keys', '0.psk')
  f.answers.set(
    `wg set wg0 peer ${DEVICE} preshared-key ${keyFile} allowed-ips 100.96.3.7/32 persistent-keepalive off`,
    {
      fail: `Key is not the correct length or format: \`${PSK}\``,
    },
  )
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  const state: ServerState = {
    ...server,
    vpn: {
      deviceNetworks: ['100.96.0.0/16'],
      defaultPolicy: 'accept',
      devices: [{ publicKey: DEVICE, presharedKey: PSK, addresses: ['100.96.3.7/32'], user }],
      users: [{ id: user, rules: [] }],
    },
  }
  const err = await d.apply(state).catch((e: Error) => e)
  expect(String(err)).toMatch(
    /`wg set wg0 peer .* preshared-key .*0\.psk .*` failed: exit code 1: Key is not the correct length or format: `\[key\]`/,
  )
  expect(String(err)).not.toContain(PSK)
  await expect(readFile(keyFile)).rejects.toThrow(/ENOENT/)
})

test('a VPN state that cannot be enforced is refused before the host changes', async () => {
  const user = '0b6f3a52-8c1e-4d7a-9f00-1a2b3c4d5e6f'
  const device = (publicKey: string, address: string) => ({ publicKey, presharedKey: null, addresses: [address], user })
  const { f, files } = emptyHost()
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  const vpn = (devices: ServerState['vpn']['devices']): ServerState => ({
    ...server,
    vpn: { deviceNetworks: ['100.96.0.0/16'], defaultPolicy: 'drop', devices, users: [{ id: user, rules: [] }] },
  })
  await expect(d.apply(vpn([device(VPS, '10.9.0.7/32')]))).rejects.toThrow(/outside the device networks/)
  await expect(d.apply(vpn([device(HOMELAB, '100.96.3.7/32')]))).rejects.toThrow(/used by two peers or devices/)
  expect(f.lines().filter((l) => / (add|del|replace|set|syncconf) /.test(l) || l === 'nft -f -')).toEqual([])
})
