import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

test('defaults', () => {
  const c = loadConfig({})
  expect(c).toMatchObject({
    port: 8080,
    host: '0.0.0.0',
    databaseUrl: undefined,
    dataDir: path.resolve('data'),
    trustProxy: false,
  })
})

test('every bad variable is named with its reason, all at once', () => {
  try {
    loadConfig({
      PORT: '70000',
      DATABASE_URL: 'mysql://x',
      WIREWARP_ADMIN_PASSWORD: 'short',
      WIREWARP_ADMIN_EMAIL: 'nope',
    })
    expect.unreachable()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    const problems = (err as ConfigError).problems.join('\n')
    expect(problems).toMatch(/PORT must be from 1 to 65535/)
    expect(problems).toMatch(/DATABASE_URL must start with postgres:\/\//)
    expect(problems).toMatch(/WIREWARP_ADMIN_PASSWORD must be at least 12 characters/)
    expect(problems).toMatch(/WIREWARP_ADMIN_EMAIL must be an email address/)
  }
})

test('a public URL loses its trailing slash; empty variables count as unset', () => {
  const c = loadConfig({ WIREWARP_PUBLIC_URL: 'https://ww.example.com/', DATABASE_URL: '' })
  expect(c.publicUrl).toBe('https://ww.example.com')
  expect(c.databaseUrl).toBeUndefined()
})

test.each([
  ['false', false],
  ['0', false],
  ['', false],
  // `true` trusts the nearest proxy only: every hop would let a client name its own address.
  ['true', 1],
  ['1', 1],
  ['TRUE', 1],
  ['2', 2],
  ['127.0.0.1', ['127.0.0.1']],
  ['127.0.0.1, 10.0.0.0/8 ,fd00::/8', ['127.0.0.1', '10.0.0.0/8', 'fd00::/8']],
  ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
])('WIREWARP_TRUST_PROXY=%j is %j', (value, expected) => {
  expect(loadConfig({ WIREWARP_TRUST_PROXY: value }).trustProxy).toEqual(expected)
})

test.each(['yes', '10.0.0.0/33', '127.0.0.1, proxy.example.com', '-1', '1.5'])(
  'WIREWARP_TRUST_PROXY=%j is refused, naming what is wrong',
  (value) => {
    expect(() => loadConfig({ WIREWARP_TRUST_PROXY: value })).toThrow(
      /WIREWARP_TRUST_PROXY must be true, false, a number of proxy hops, or a comma-separated list/,
    )
  },
)

test('the request timeout is 30 s unless set, and at least a second', () => {
  expect(loadConfig({}).requestTimeoutMs).toBe(30_000)
  expect(loadConfig({ WIREWARP_REQUEST_TIMEOUT_SECONDS: '5' }).requestTimeoutMs).toBe(5000)
  expect(() => loadConfig({ WIREWARP_REQUEST_TIMEOUT_SECONDS: '0' })).toThrow(
    /WIREWARP_REQUEST_TIMEOUT_SECONDS must be at least 1/,
  )
})

test('WIREWARP_RELEASES_DIR is unset by default, resolved when set, and must be an existing directory', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-releases-'))
  try {
    expect(loadConfig({}).releasesDir).toBeUndefined()
    expect(loadConfig({ WIREWARP_RELEASES_DIR: ' ' }).releasesDir).toBeUndefined()
    expect(loadConfig({ WIREWARP_RELEASES_DIR: dir }).releasesDir).toBe(dir)
    expect(loadConfig({ WIREWARP_RELEASES_DIR: path.relative('.', dir) }).releasesDir).toBe(dir)
    writeFileSync(path.join(dir, 'file'), 'x')
    for (const bad of [path.join(dir, 'missing'), path.join(dir, 'file')])
      expect(() => loadConfig({ WIREWARP_RELEASES_DIR: bad })).toThrow(
        /WIREWARP_RELEASES_DIR must be an existing directory/,
      )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
