/**
 * Passwords over real HTTP, on SQLite and on PostgreSQL: the weakest are refused wherever a password
 * is set, and a new password ends the sessions (and, on an admin's reset, the API tokens) it should.
 */
import type { ApiTokenCreated, AuditEntry, User } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { anonymous, type Client, signIn, skipDb, startTestServer, type TestServer, withToken } from './harness.ts'

type ErrorReply = { error?: { code?: string; message?: string; fields?: Record<string, string> } }
type Page<T> = { items: T[]; total: number }

const skip = await skipDb()

describe.skipIf(skip)('passwords', () => {
  let t: TestServer
  let admin: Client
  let n = 0

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
  })
  afterAll(async () => {
    await t?.close()
  })

  /** A new user who is signed in, with an API token. */
  async function person(password = 'plum tractor 42 lagoon') {
    const email = `person.number.${++n}@example.com`
    const created = await admin.post<User>('/api/v1/users', { email, name: `Person ${n}`, password })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const session = await signIn(t, email, password)
    const token = await session.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'script' })
    expect(token.status).toBe(201)
    return { id: created.body.id, email, password, session, token: withToken(t, token.body.token) }
  }

  const canSignIn = async (email: string, password: string) =>
    (await anonymous(t).post('/api/v1/auth/login', { email, password })).status === 200

  function expectRefused(r: { status: number; body: unknown }, field: string, reason: RegExp) {
    const body = r.body as ErrorReply
    expect(r.status, JSON.stringify(body)).toBe(400)
    expect(body.error?.code).toBe('validation')
    expect(body.error?.fields?.[field]).toMatch(reason)
  }

  const weak = (email: string) =>
    [
      ['aaaaaaaaaaaa', /one character repeated/],
      [email, /email/],
      [email.toUpperCase(), /email/],
      [email.split('@')[0]!, /email/],
      ['password1234', /common/],
      ['Qwerty123456', /common/],
    ] as const

  test('creating a user refuses the weakest passwords, naming the field', async () => {
    const email = 'christopher.robin@example.com'
    for (const [password, reason] of weak(email)) {
      const r = await admin.post('/api/v1/users', { email, name: 'Christopher', password })
      expectRefused(r, 'password', reason)
    }
    expect((await admin.get<Page<User>>('/api/v1/users')).body.items.map((u) => u.email)).not.toContain(email)
    expect(
      (await admin.post('/api/v1/users', { email, name: 'Christopher', password: 'honey pot 100 acre' })).status,
    ).toBe(201)
  })

  test('an admin’s password reset refuses the weakest passwords, against the new email too', async () => {
    const p = await person()
    for (const [password, reason] of weak(p.email)) {
      expectRefused(await admin.patch(`/api/v1/users/${p.id}`, { password }), 'password', reason)
    }
    const newEmail = 'renamed.person.here@example.com'
    expectRefused(
      await admin.patch(`/api/v1/users/${p.id}`, { email: newEmail, password: newEmail }),
      'password',
      /email/,
    )
    // Nothing was changed by the refused calls.
    expect((await p.session.get('/api/v1/auth/me')).status).toBe(200)
    expect(await canSignIn(p.email, p.password)).toBe(true)
  })

  test('changing one’s own password refuses the weakest passwords and a wrong current one', async () => {
    const p = await person()
    for (const [newPassword, reason] of weak(p.email)) {
      expectRefused(
        await p.session.post('/api/v1/auth/password', { currentPassword: p.password, newPassword }),
        'newPassword',
        reason,
      )
    }
    expectRefused(
      await p.session.post('/api/v1/auth/password', {
        currentPassword: 'not the password',
        newPassword: 'a brand new secret 9',
      }),
      'currentPassword',
      /current password/,
    )
    expectRefused(
      await p.session.post('/api/v1/auth/password', { currentPassword: p.password, newPassword: p.password }),
      'newPassword',
      /differ/,
    )
    expect(await canSignIn(p.email, p.password)).toBe(true)
    expect(await canSignIn(p.email, 'a brand new secret 9')).toBe(false)
  })

  test('an admin’s reset ends the user’s sessions and revokes their API tokens', async () => {
    const p = await person()
    const second = await signIn(t, p.email, p.password)
    const r = await admin.patch<User>(`/api/v1/users/${p.id}`, { password: 'reset by the admin 1' })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect((await p.session.get('/api/v1/auth/me')).status).toBe(401)
    expect((await second.get('/api/v1/auth/me')).status).toBe(401)
    const byToken = await p.token.get<ErrorReply>('/api/v1/auth/me')
    expect([byToken.status, byToken.body.error?.code]).toEqual([401, 'auth.invalid_token'])
    expect(await canSignIn(p.email, p.password)).toBe(false)
    expect(await canSignIn(p.email, 'reset by the admin 1')).toBe(true)

    const audit = await admin.get<Page<AuditEntry>>('/api/v1/audit-log?action=user.update&limit=1')
    expect(audit.body.items[0]).toMatchObject({
      targetId: p.id,
      summary: { password: 'changed', revokedApiTokens: 1 },
    })
    // The admin's own session is untouched.
    expect((await admin.get('/api/v1/auth/me')).status).toBe(200)
  })

  test('an admin’s reset with revokeApiTokens unticked keeps the API tokens', async () => {
    const p = await person()
    const r = await admin.patch(`/api/v1/users/${p.id}`, { password: 'reset by the admin 2', revokeApiTokens: false })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect((await p.session.get('/api/v1/auth/me')).status).toBe(401)
    expect((await p.token.get('/api/v1/auth/me')).status).toBe(200)
  })

  test('revokeApiTokens without a password is refused rather than ignored', async () => {
    const p = await person()
    expectRefused(await admin.patch(`/api/v1/users/${p.id}`, { revokeApiTokens: true }), 'revokeApiTokens', /password/)
    expect((await p.token.get('/api/v1/auth/me')).status).toBe(200)
  })

  test('changing one’s own password keeps this session, ends the others, keeps API tokens', async () => {
    const p = await person()
    const other = await signIn(t, p.email, p.password)
    const r = await p.session.post('/api/v1/auth/password', {
      currentPassword: p.password,
      newPassword: 'my own new secret 1',
    })
    expect(r.status, JSON.stringify(r.body)).toBe(204)
    expect((await p.session.get('/api/v1/auth/me')).status).toBe(200)
    expect((await other.get('/api/v1/auth/me')).status).toBe(401)
    expect((await p.token.get('/api/v1/auth/me')).status).toBe(200)
    expect(await canSignIn(p.email, p.password)).toBe(false)
    expect(await canSignIn(p.email, 'my own new secret 1')).toBe(true)

    const audit = await admin.get<Page<AuditEntry>>('/api/v1/audit-log?action=user.password_change&limit=1')
    expect(audit.body.items[0]).toMatchObject({ actorId: p.id, targetId: p.id, summary: { revokedApiTokens: 0 } })
    expect(JSON.stringify(audit.body.items[0])).not.toContain('my own new secret 1')
  })

  test('changing one’s own password with revokeApiTokens also revokes the API tokens', async () => {
    const p = await person()
    const r = await p.session.post('/api/v1/auth/password', {
      currentPassword: p.password,
      newPassword: 'my own new secret 2',
      revokeApiTokens: true,
    })
    expect(r.status, JSON.stringify(r.body)).toBe(204)
    expect((await p.session.get('/api/v1/auth/me')).status).toBe(200)
    expect((await p.token.get('/api/v1/auth/me')).status).toBe(401)
  })

  test('guessing the current password is throttled like sign-in', async () => {
    const p = await person()
    const statuses: number[] = []
    for (let i = 0; i < 20 && statuses.at(-1) !== 429; i++) {
      const r = await p.session.post('/api/v1/auth/password', {
        currentPassword: `guess number ${i}`,
        newPassword: 'a brand new secret 9',
      })
      statuses.push(r.status)
    }
    expect(statuses.at(-1), statuses.join(' ')).toBe(429)
    expect(statuses.slice(0, -1).every((s) => s === 400)).toBe(true)
    // Even the right one waits now.
    const right = await p.session.post('/api/v1/auth/password', {
      currentPassword: p.password,
      newPassword: 'a brand new secret 9',
    })
    expect(right.status).toBe(429)
  })
})
