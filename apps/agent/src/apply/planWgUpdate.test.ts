import type { WgInterfaceState } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { MAX_SET_CHANGES, planWgUpdate } from './planWgUpdate.ts'
import { parseWgDump } from './wgDump.ts'

const KEY = 'QMlBs8vROPeTvlUSEbqvhjjWqJ8hAnOAiH8+dO9NQXU='
const A = 'ABihVnqGng98ymmkDSq2kjXl9gz5SVxli6sDt3sE71M='
const B = 'cCoE/D1TPIhzqaUOwEgkrYay5ZVIQOrITq80o0105Ec='
const C = 'zVKfcI8UlcB6ocvTsgufnJus8S3Zc3gdLkkddMG4PBo='
const KEYS = '/state/wg-keys'

const wg = (peers: WgInterfaceState['peers'], listenPort: number | null = 51820): WgInterfaceState => ({
  name: 'wg0',
  addresses: ['10.100.0.1/24'],
  listenPort,
  mtu: 1420,
  peers,
})
const peer = (publicKey: string, allowedIps: string[], endpoint: string | null = null, persistentKeepalive = 0) => ({
  name: 'p',
  publicKey,
  allowedIps,
  endpoint,
  persistentKeepalive,
})
const dump = (lines: string[], key = KEY, port = 51820) =>
  parseWgDump([`${key}\tPUB\t${port}\toff`, ...lines].join('\n'))

test('parses wg show dump', () => {
  expect(
    parseWgDump(
      `${KEY}\tPUB\t51820\toff\n${A}\t(none)\t203.0.113.7:4242\t10.100.0.2/32,192.168.78.0/24\t1700000000\t100\t200\t25\n${B}\t(none)\t(none)\t(none)\t0\t0\t0\toff\n`,
    ),
  ).toEqual({
    privateKey: KEY,
    publicKey: 'PUB',
    listenPort: 51820,
    peers: [
      {
        publicKey: A,
        presharedKey: null,
        endpoint: '203.0.113.7:4242',
        allowedIps: ['10.100.0.2/32', '192.168.78.0/24'],
        latestHandshake: 1700000000,
        rxBytes: 100,
        txBytes: 200,
        persistentKeepalive: 25,
      },
      {
        publicKey: B,
        presharedKey: null,
        endpoint: null,
        allowedIps: [],
        latestHandshake: 0,
        rxBytes: 0,
        txBytes: 0,
        persistentKeepalive: 0,
      },
    ],
  })
})

test('a fresh interface (no key yet) gets a syncconf', () => {
  expect(planWgUpdate(wg([peer(A, ['10.100.0.2/32'])]), KEY, parseWgDump('(none)\t(none)\t0\toff\n'), KEYS)).toEqual({
    kind: 'syncconf',
  })
})

test('nothing to do when the dump matches, whatever the learned endpoint and spelling', () => {
  const want = wg([peer(A, ['10.100.0.2/32', 'fd00:100:0::2/128']), peer(C, ['10.0.0.0/8'], '[2001:db8::1]:51820', 25)])
  const have = dump([
    `${A}\t(none)\t203.0.113.7:4242\tfd00:100::2/128,10.100.0.2/32\t0\t0\t0\toff`,
    `${C}\t(none)\t[2001:db8::1]:51820\t10.0.0.0/8\t0\t0\t0\t25`,
  ])
  expect(planWgUpdate(want, KEY, have, KEYS)).toEqual({ kind: 'none' })
})

test('a few changes become one wg set: added, changed, removed, listen port', () => {
  const want = wg(
    [peer(A, ['10.100.0.2/32', '192.168.78.0/24']), peer(B, ['10.100.0.3/32'], 'vps.example.com:51820', 25)],
    51821,
  )
  const have = dump([
    `${A}\t(none)\t(none)\t10.100.0.2/32\t0\t0\t0\toff`,
    `${C}\t(none)\t(none)\t10.100.0.9/32\t0\t0\t0\toff`,
  ])
  expect(planWgUpdate(want, KEY, have, KEYS)).toEqual({
    kind: 'set',
    argv: [
      'wg',
      'set',
      'wg0',
      'listen-port',
      '51821',
      'peer',
      C,
      'remove',
      'peer',
      A,
      'allowed-ips',
      '10.100.0.2/32,192.168.78.0/24',
      'persistent-keepalive',
      'off',
      'peer',
      B,
      'allowed-ips',
      '10.100.0.3/32',
      'endpoint',
      'vps.example.com:51820',
      'persistent-keepalive',
      '25',
    ],
    keyFiles: [],
  })
})

test('a host name endpoint is not compared with the address it resolved to', () => {
  const want = wg([peer(A, ['0.0.0.0/0'], 'vps.example.com:51820', 25)], null)
  const have = dump([`${A}\t(none)\t198.51.100.1:51820\t0.0.0.0/0\t0\t0\t0\t25`], KEY, 40000)
  expect(planWgUpdate(want, KEY, have, KEYS)).toEqual({ kind: 'none' })
})

test('many changes or another private key mean a full syncconf', () => {
  const keys = Array.from({ length: MAX_SET_CHANGES + 1 }, (_, i) => Buffer.alloc(32, i + 1).toString('base64'))
  expect(planWgUpdate(wg(keys.map((k) => peer(k, []))), KEY, dump([]), KEYS).kind).toBe('syncconf')
  expect(planWgUpdate(wg(keys.slice(0, 8).map((k) => peer(k, []))), KEY, dump([]), KEYS).kind).toBe('set')
  expect(planWgUpdate(wg([]), KEY, dump([], B), KEYS).kind).toBe('syncconf')
})

test("a peer with the interface's own key is left out (WireGuard refuses it)", () => {
  expect(planWgUpdate(wg([peer('PUB', ['10.0.0.0/8'])]), KEY, dump([]), KEYS).kind).toBe('none')
})

const PSK = 'L5Nvd6EjK1mA3Gp0/cDnq1XkXtM1mVwVqW0W7ZzJf0s='
const PSK2 = 'hjDx0n3Y2V4sXH7nUwYd4u0fM8N7qkz1yq6sL2c9wUQ='
const withKey = (publicKey: string, presharedKey: string | null, allowed = '100.96.3.7/32') => ({
  ...peer(publicKey, [allowed]),
  presharedKey,
})
const dumpLine = (publicKey: string, psk: string | null, allowed = '100.96.3.7/32') =>
  `${publicKey}\t${psk ?? '(none)'}\t198.51.100.9:4444\t${allowed}\t0\t0\t0\toff`

test('preshared keys: the same one is no change', () => {
  expect(planWgUpdate(wg([withKey(A, PSK)]), KEY, dump([dumpLine(A, PSK)]), KEYS)).toEqual({ kind: 'none' })
})

test('preshared keys: a new or changed one is set from a file, never from argv', () => {
  const plan = planWgUpdate(
    wg([withKey(A, PSK2), withKey(B, PSK, '100.96.3.8/32')]),
    KEY,
    dump([dumpLine(A, PSK)]),
    KEYS,
  )
  expect(plan).toEqual({
    kind: 'set',
    argv: [
      'wg',
      'set',
      'wg0',
      'peer',
      A,
      'preshared-key',
      `${KEYS}/0.psk`,
      'allowed-ips',
      '100.96.3.7/32',
      'persistent-keepalive',
      'off',
      'peer',
      B,
      'preshared-key',
      `${KEYS}/1.psk`,
      'allowed-ips',
      '100.96.3.8/32',
      'persistent-keepalive',
      'off',
    ],
    keyFiles: [
      { path: `${KEYS}/0.psk`, key: PSK2 },
      { path: `${KEYS}/1.psk`, key: PSK },
    ],
  })
  expect(plan.kind === 'set' && plan.argv.join(' ')).not.toMatch(/L5Nvd6|hjDx0n/)
})

test('preshared keys: one no longer wanted is removed with /dev/null', () => {
  expect(planWgUpdate(wg([withKey(A, null)]), KEY, dump([dumpLine(A, PSK)]), KEYS)).toEqual({
    kind: 'set',
    argv: [
      'wg',
      'set',
      'wg0',
      'peer',
      A,
      'preshared-key',
      '/dev/null',
      'allowed-ips',
      '100.96.3.7/32',
      'persistent-keepalive',
      'off',
    ],
    keyFiles: [],
  })
  // A site peer (no preshared key in the state) that has one gets it removed the same way.
  expect(planWgUpdate(wg([peer(A, ['100.96.3.7/32'])]), KEY, dump([dumpLine(A, PSK)]), KEYS)).toMatchObject({
    kind: 'set',
    argv: expect.arrayContaining(['preshared-key', '/dev/null']),
  })
})

test('adding one device to many is one wg set', () => {
  const many = Array.from({ length: 10_000 }, (_, i) =>
    Buffer.alloc(32, 0)
      .fill(i % 256, 0, 1)
      .fill(i >> 8, 1, 2)
      .toString('base64'),
  )
  const addr = (i: number) => `100.96.${i >> 8}.${i % 256}/32`
  const have = dump(many.map((k, i) => dumpLine(k, PSK, addr(i))))
  const want = wg([...many.map((k, i) => withKey(k, PSK, addr(i))), withKey(C, PSK2, '100.97.0.1/32')])
  const started = performance.now()
  const plan = planWgUpdate(want, KEY, have, KEYS)
  expect(performance.now() - started).toBeLessThan(1000)
  expect(plan).toEqual({
    kind: 'set',
    argv: [
      'wg',
      'set',
      'wg0',
      'peer',
      C,
      'preshared-key',
      `${KEYS}/0.psk`,
      'allowed-ips',
      '100.97.0.1/32',
      'persistent-keepalive',
      'off',
    ],
    keyFiles: [{ path: `${KEYS}/0.psk`, key: PSK2 }],
  })
})
