/**
 * Login throttling over real HTTP from several client addresses (Linux accepts any 127.x.y.z as
 * a source): parallel guessing, lock-out by a stranger, distributed guessing and the device
 * cookie, and two servers sharing one database.
 */
import http from 'node:http'
import type { User } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { RunningServer } from '../src/server.ts'
import { type Client, signIn, skipDb, startServerOnSameDatabase, startTestServer, type TestServer } from './harness.ts'

interface LoginReply {
  status: number
  retryAfter: number | null
  code: string | undefined
  setCookies: string[]
}

/** POST /api/v1/auth/login from client address `from`, optionally carrying a Cookie header. */
function login(
  baseUrl: string,
  from: string,
  body: { email: string; password: string },
  cookie?: string,
): Promise<LoginReply> {
  const u = new URL(baseUrl)
  const payload = JSON.stringify({ email: body.email, password: body.password })
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/api/v1/auth/login',
        localAddress: from,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(cookie ? { cookie } : {}),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          text += c
        })
        res.on('end', () => {
          let parsed: { error?: { code?: string } } = {}
          try {
            parsed = JSON.parse(text)
          } catch {}
          const ra = res.headers['retry-after']
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: ra === undefined ? null : Number(ra),
            code: parsed.error?.code,
            setCookies: res.headers['set-cookie'] ?? [],
          })
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The `name=value` part of the Set-Cookie for `name`, if any. */
function cookieOf(r: LoginReply, name: string): string | undefined {
  return r.setCookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0]
}

const skip = await skipDb()

describe.skipIf(skip)('login throttle', () => {
  let t: TestServer
  let admin: Client

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
  })
  afterAll(async () => {
    await t?.close()
  })

  async function newUser(name: string): Promise<{ id: string; email: string; password: string }> {
    const account = { email: `${name}@example.com`, password: `${name} password 12` }
    const r = await admin.post<User>('/api/v1/users', { ...account, name })
    expect(r.status).toBe(201)
    return { id: r.body.id, ...account }
  }

  async function failedLoginAudits(userId: string): Promise<number> {
    const r = await admin.get<{ total: number }>(
      `/api/v1/audit-log?action=auth.login_failed&targetId=${userId}&limit=1`,
    )
    expect(r.status).toBe(200)
    return r.body.total
  }

  test('40 wrong passwords sent at once: only the free allowance is checked, the rest get 429', async () => {
    const u = await newUser('parallel')
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(t.url, '127.0.1.1', { email: u.email, password: `wrong ${i}` })),
    )
    const checked = replies.filter((r) => r.status === 401).length
    const refused = replies.filter((r) => r.status === 429)
    expect(checked + refused.length, `statuses: ${replies.map((r) => r.status).join(' ')}`).toBe(40)
    expect(checked).toBeGreaterThan(0)
    expect(checked).toBeLessThanOrEqual(5)
    for (const r of refused) {
      expect(r.code).toBe('auth.throttled')
      expect(r.retryAfter).toBeGreaterThan(0)
    }
    expect(await failedLoginAudits(u.id)).toBe(checked)
  })

  test('a stranger failing from address A does not lock the owner out on address B; A backs off longer each time', async () => {
    const u = await newUser('dana')
    const fromA: LoginReply[] = []
    for (let i = 0; i < 8; i++) fromA.push(await login(t.url, '127.0.2.1', { email: u.email, password: `wrong ${i}` }))

    const owner = await login(t.url, '127.0.2.2', u)
    expect(owner.status, `A got ${fromA.map((r) => r.status).join(' ')}`).toBe(200)

    expect(fromA.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429, 429, 429])
    // A refused attempt is not checked, so even the right password from A waits.
    const first = await login(t.url, '127.0.2.1', u)
    expect(first.status).toBe(429)
    expect(first.retryAfter).toBeGreaterThan(0)

    await sleep(first.retryAfter! * 1000 + 100)
    expect((await login(t.url, '127.0.2.1', { email: u.email, password: 'wrong again' })).status).toBe(401)
    const second = await login(t.url, '127.0.2.1', { email: u.email, password: 'and again' })
    expect(second.status).toBe(429)
    expect(second.retryAfter).toBeGreaterThan(first.retryAfter!)
    expect(await failedLoginAudits(u.id)).toBe(6)
  })

  test('guessing from many addresses trips the account; a browser that signed in before still signs in', async () => {
    const u = await newUser('frank')
    const earlier = await login(t.url, '127.0.3.200', u)
    expect(earlier.status).toBe(200)
    const device = cookieOf(earlier, 'wirewarp_device')
    expect(device, `set-cookie: ${earlier.setCookies.join(' | ')}`).toBeDefined()
    expect(earlier.setCookies.find((c) => c.startsWith('wirewarp_device='))).toMatch(/HttpOnly/i)

    const statuses: number[] = []
    for (let a = 1; a <= 6; a++)
      for (let i = 0; i < 5; i++)
        statuses.push((await login(t.url, `127.0.3.${a}`, { email: u.email, password: `wrong ${a}.${i}` })).status)
    // Each address stays within its own free allowance; together they exceed the account's.
    expect(statuses.filter((s) => s === 401).length).toBe(25)
    expect(statuses.slice(25)).toEqual([429, 429, 429, 429, 429])

    const stranger = await login(t.url, '127.0.3.100', u)
    expect(stranger.status).toBe(429)
    expect(stranger.retryAfter).toBeGreaterThan(0)

    const trusted = await login(t.url, '127.0.3.101', u, device)
    expect(trusted.status).toBe(200)
    // A forged or tampered device cookie is no exemption.
    const forged = await login(t.url, '127.0.3.102', u, `${device!.slice(0, -2)}xx`)
    expect(forged.status).toBe(429)
  })

  test('two servers on one database share the counters', async () => {
    const other: RunningServer = await startServerOnSameDatabase(t)
    try {
      const u = await newUser('gina')
      const replies = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          login(i % 2 ? other.url : t.url, '127.0.4.1', { email: u.email, password: `wrong ${i}` }),
        ),
      )
      const checked = replies.filter((r) => r.status === 401).length
      expect(checked, `statuses: ${replies.map((r) => r.status).join(' ')}`).toBeLessThanOrEqual(5)
      expect(replies.filter((r) => r.status === 429).length).toBe(40 - checked)

      const h = await newUser('hank')
      for (let i = 0; i < 5; i++)
        expect((await login(t.url, '127.0.4.2', { email: h.email, password: `wrong ${i}` })).status).toBe(401)
      expect((await login(other.url, '127.0.4.2', h)).status).toBe(429)
      expect((await login(other.url, '127.0.4.3', h)).status).toBe(200)
    } finally {
      await other.close()
    }
  })

  test('successful sign-ins from one address are never throttled', async () => {
    const u = await newUser('ivy')
    for (let i = 0; i < 30; i++) expect((await login(t.url, '127.0.5.1', u)).status).toBe(200)
    // Attempts in flight are reserved as failures until checked, so parallel ones get the free allowance.
    const parallel = await Promise.all(Array.from({ length: 5 }, () => login(t.url, '127.0.5.1', u)))
    expect(parallel.map((r) => r.status)).toEqual(Array(5).fill(200))
    expect((await login(t.url, '127.0.5.1', u)).status).toBe(200)
  })
})
