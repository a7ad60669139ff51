/** The linux driver's drift check against a fake host: what it finds, what it runs to repair, what it reports. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ServerState } from '@wirewarp/protocol'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { isReadOnly } from '../apply/recordChanges.ts'
import { fakeFiles, fakeRun } from '../testing/fakeRun.ts'
import { LinuxDriver } from './linuxDriver.ts'

const KEY = 'QMlBs8vROPeTvlUSEbqvhjjWqJ8hAnOAiH8+dO9NQXU='
const HOMELAB = 'ABihVnqGng98ymmkDSq2kjXl9gz5SVxli6sDt3sE71M='
const LAPTOP = 'i045/yAJQLzncNTga8ZGOlNQa9lKx4D/9hsfmpTy8FU='

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-drift-'))
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
  forwards: [],
  masqueradeSources: ['10.100.0.2/32', '192.168.78.0/24'],
})

const TABLE =
  'table inet wirewarp {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n\t}\n}\n'
const DUMP_HEAD = `${KEY}\tPUB\t51820\toff\n`
const HOMELAB_LINE = `${HOMELAB}\t(none)\t203.0.113.9:5555\t10.100.0.2/32,192.168.78.0/24\t0\t0\t0\toff\n`

/** A server host that holds what applying `server` makes; `host` says what is live now. */
function configuredHost() {
  const host = {
    table: TABLE as string | null,
    dump: DUMP_HEAD + HOMELAB_LINE,
    routes: '[{"dst":"192.168.78.0/24","dev":"wg0"}]',
  }
  const files = fakeFiles({ '/proc/sys/net/ipv4/ip_forward': '1\n' })
  const f = fakeRun({
    'ip -j -4 route show default': JSON.stringify([{ dst: 'default', gateway: '198.51.100.254', dev: 'v-net' }]),
    'nft -j list counters table inet wirewarp': JSON.stringify({ nftables: [] }),
    'nft -s list table inet wirewarp': () =>
      host.table ?? { fail: 'Error: No such file or directory\nlist table inet wirewarp', exitCode: 1 },
    'nft -f -': () => {
      host.table = TABLE
      return ''
    },
    'ip -j -d link show dev wg0': JSON.stringify([{ ifname: 'wg0', linkinfo: { info_kind: 'tun' } }]),
    'wg show interfaces': 'wg0\n',
    'wg show wg0 dump': () => host.dump,
    'ip -j addr show dev wg0': JSON.stringify([
      { flags: ['UP'], mtu: 1420, addr_info: [{ local: '10.100.0.1', prefixlen: 24, scope: 'global' }] },
    ]),
    'ip -j -4 route show table main proto 87': () => host.routes,
    'iptables -w 5 -S DOCKER-USER': { fail: 'iptables: No chain/target/match by that name.' },
  })
  return { f, files, host }
}

const changing = (lines: string[]) => lines.filter((l) => !isReadOnly(l.split(' ')))

test('nothing differs: only reads, nothing reported', async () => {
  const { f, files } = configuredHost()
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  expect(await d.checkDrift()).toEqual({ items: [] }) // nothing applied yet: nothing to check
  expect(f.lines()).toEqual([])
  await d.apply(server)
  await d.settle()
  f.calls.length = 0
  expect(await d.checkDrift()).toEqual({ items: [] })
  expect(changing(f.lines())).toEqual([])
  expect(files.writes).toEqual([])
})

test('a flushed table and a removed peer are put back and reported, without keys', async () => {
  const { f, files, host } = configuredHost()
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  await d.apply(server)
  await d.settle()
  f.calls.length = 0
  host.table = null
  host.dump = DUMP_HEAD
  host.routes = '[]'
  const r = await d.checkDrift()
  expect(r).toEqual({
    items: [
      { what: 'nftables', detail: 'table inet wirewarp missing' },
      { what: 'wireguard', detail: '1 peer missing' },
      {
        what: 'routes',
        detail: '1 command to restore: ip -4 route replace 192.168.78.0/24 dev wg0 table main proto 87',
      },
    ],
  })
  expect(changing(f.lines())).toEqual([
    'nft -f -',
    'wg set wg0 peer ABihVnqGng98ymmkDSq2kjXl9gz5SVxli6sDt3sE71M= allowed-ips 10.100.0.2/32,192.168.78.0/24 persistent-keepalive off',
    'ip -4 route replace 192.168.78.0/24 dev wg0 table main proto 87',
  ])
  expect(JSON.stringify(r)).not.toContain(KEY)
  expect(JSON.stringify(r)).not.toContain(HOMELAB)

  // Repaired: the next check finds nothing (the table was listed again after the reload).
  host.dump = DUMP_HEAD + HOMELAB_LINE
  host.routes = '[{"dst":"192.168.78.0/24","dev":"wg0"}]'
  f.calls.length = 0
  expect(await d.checkDrift()).toEqual({ items: [] })
  expect(changing(f.lines())).toEqual([])
})

test('an edited table, an unknown peer, another port and a lost sysctl are each named', async () => {
  const { f, files, host } = configuredHost()
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  await d.apply(server)
  await d.settle()
  host.table = TABLE.replace('policy accept;', 'policy accept;\n\t\tip saddr 1.2.3.4 drop')
  host.dump = `${KEY}\tPUB\t51999\toff\n${HOMELAB_LINE}${LAPTOP}\t(none)\t(none)\t10.9.9.9/32\t0\t0\t0\toff\n`
  files.files.set('/proc/sys/net/ipv4/ip_forward', '0\n')
  f.calls.length = 0
  expect((await d.checkDrift()).items).toEqual([
    { what: 'nftables', detail: 'table inet wirewarp changed (1 line added)' },
    { what: 'wireguard', detail: 'listen port 51999 instead of 51820, 1 unknown peer' },
    { what: 'sysctls', detail: 'set again: net.ipv4.ip_forward' },
  ])
  expect(changing(f.lines())).toEqual(['nft -f -', `wg set wg0 listen-port 51820 peer ${LAPTOP} remove`])
})

test('a repair that fails says so, with what was found', async () => {
  const { f, files, host } = configuredHost()
  const d = new LinuxDriver({ stateDir: dir, privateKey: async () => KEY, run: f.run, files })
  await d.apply(server)
  await d.settle()
  host.table = null
  f.answers.set('nft -f -', { fail: 'Error: Could not process rule: Cannot allocate memory' })
  expect(await d.checkDrift()).toEqual({
    items: [{ what: 'nftables', detail: 'table inet wirewarp missing' }],
    error: '`nft -f -` failed: exit code 1: Error: Could not process rule: Cannot allocate memory',
  })
})
