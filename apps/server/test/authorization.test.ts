/**
 * Authorization: every route of the API, called as anonymous, a user, an admin (cookie and API
 * token), a revoked API token, a forged token and an expired session, gets exactly what its rule
 * allows. The route list comes from the server's own OpenAPI document, so a new route without an
 * expectation here fails the test. Also: authentication runs before validation, CSRF, logout,
 * session expiry and login throttling.
 */
import { randomBytes } from 'node:crypto'
import type {
  ApiTokenCreated,
  DeviceCreated,
  Rule as FirewallRule,
  PortForward,
  RegistrationTokenCreated,
  ServiceTemplate,
  User,
} from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sha256 } from '../src/auth/secretTokens.ts'
import { SESSION_COOKIE } from '../src/http/authenticate.ts'
import { insertAgent } from '../src/store/agents.ts'
import { insertSession } from '../src/store/sessions.ts'
import { generateWgKeyPair } from '../src/tunnel/wgKeys.ts'
import {
  ADMIN,
  anonymous,
  Client,
  type Reply,
  seedTunnel,
  signIn,
  skipDb,
  startTestServer,
  type TestServer,
  withToken,
} from './harness.ts'

type Rule = 'public' | 'user' | 'admin'
type ErrorReply = { error?: { code?: string; message?: string } }

const PRINCIPALS = [
  'anonymous',
  'user',
  'admin',
  'admin token',
  'revoked token',
  'forged token',
  'expired session',
] as const
type PrincipalName = (typeof PRINCIPALS)[number]

type Outcome = { allowed: true } | { allowed: false; status: 401 | 403; code: string }

/** What each principal gets on a route of each rule. */
function expected(p: PrincipalName, rule: Rule): Outcome {
  switch (p) {
    case 'anonymous':
      return rule === 'public' ? { allowed: true } : { allowed: false, status: 401, code: 'unauthenticated' }
    case 'user':
      return rule === 'admin' ? { allowed: false, status: 403, code: 'forbidden' } : { allowed: true }
    case 'admin':
    case 'admin token':
      return { allowed: true }
    case 'revoked token':
    case 'forged token':
      return rule === 'public' ? { allowed: true } : { allowed: false, status: 401, code: 'auth.invalid_token' }
    case 'expired session':
      return rule === 'public' ? { allowed: true } : { allowed: false, status: 401, code: 'auth.session_expired' }
  }
}

/**
 * Cells where the server does not yet do what `expected` says; they run as expected failures
 * and start failing once fixed, as a reminder to remove them here.
 */
function knownBug(p: PrincipalName, rule: Rule): string | undefined {
  void p
  void rule
  return undefined
}

interface Call {
  url: string
  body?: unknown
  /** Who makes the call, when not the principal's usual client (e.g. a fresh session to sign out). */
  as?: Client
}

interface RouteSpec {
  rule: Rule
  /** The status an allowed principal gets. */
  ok: number
  /** A valid call, with fresh fixtures when the call consumes them. */
  make: (p: PrincipalName, client: Client, allowed: boolean) => Promise<Call>
}

const skip = await skipDb()

describe.skipIf(skip)('authorization: every route, every kind of caller', () => {
  let t: TestServer
  let admin: Client
  let adminId: string
  let carol: Client
  const CAROL = { email: 'carol@example.com', password: 'carol password 1' }
  let adminToken: string
  let revokedToken: string
  let fx: {
    server: string
    client: string
    serverAgent: string
    target: string
    forward: string
    carol: string
  }
  let n = 0
  const next = () => ++n

  /** A session of the admin that expired an hour ago, made directly in the database. */
  async function expiredSession(): Promise<Client> {
    const token = randomBytes(32).toString('base64url')
    await insertSession(t.db, {
      tokenHash: sha256(token),
      userId: adminId,
      expiresAt: new Date(Date.now() - 3600_000).toISOString(),
      ip: null,
      userAgent: null,
    })
    return new Client(() => t.url, { cookie: `${SESSION_COOKIE}=${token}` })
  }

  async function clientOf(p: PrincipalName): Promise<Client> {
    switch (p) {
      case 'anonymous':
        return anonymous(t)
      case 'user':
        return carol
      case 'admin':
        return admin
      case 'admin token':
        return withToken(t, adminToken)
      case 'revoked token':
        return withToken(t, revokedToken)
      case 'forged token':
        return withToken(t, `wwp_${randomBytes(32).toString('base64url')}`)
      case 'expired session':
        return expiredSession()
    }
  }

  async function created<T>(r: Promise<Reply<T>>): Promise<T> {
    const res = await r
    if (res.status !== 201) throw new Error(`fixture not created: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }

  const newUser = async (role: 'user' | 'admin' = 'user') =>
    (
      await created(
        admin.post<User>('/api/v1/users', {
          email: `u${next()}@example.com`,
          name: 'Throwaway',
          password: 'throwaway pass 1',
          role,
        }),
      )
    ).id
  const newForward = async () => {
    const port = 10_000 + next()
    return (
      await created(
        admin.post<PortForward>('/api/v1/port-forwards', {
          tunnelServerId: fx.server,
          tunnelClientId: fx.client,
          protocol: 'tcp',
          publicPort: port,
          destinationIp: '192.168.1.20',
          destinationPort: port,
        }),
      )
    ).id
  }
  /** A device of the caller when they may make one, else of Carol (made by the admin). */
  const newDevice = async (c: Client, allowed: boolean) => {
    const body = { name: `phone ${next()}`, tunnelServerId: fx.server, publicKey: generateWgKeyPair().publicKey }
    const owner = allowed ? c : admin
    return (await created(owner.post<DeviceCreated>('/api/v1/devices', allowed ? body : { ...body, userId: fx.carol })))
      .id
  }
  const newRule = async () =>
    (
      await created(
        admin.post<FirewallRule>('/api/v1/rules', { action: 'drop', destination: `10.${next() % 250}.0.0/16` }),
      )
    ).id
  const newTemplate = async () =>
    (
      await created(
        admin.post<ServiceTemplate>('/api/v1/service-templates', {
          name: `Custom ${next()}`,
          ports: [{ protocol: 'udp', port: 20_000 + n }],
        }),
      )
    ).id

  /** Every API route and its rule, as read from each route's `config.auth`. Keys as in the OpenAPI document. */
  const ROUTES: Record<string, RouteSpec> = {
    'GET /api/health': { rule: 'public', ok: 200, make: async () => ({ url: '/api/health' }) },
    'POST /api/v1/auth/login': {
      rule: 'public',
      ok: 200,
      make: async () => ({ url: '/api/v1/auth/login', body: CAROL }),
    },
    'POST /api/v1/auth/logout': {
      rule: 'user',
      ok: 204,
      // Signing out ends the session: allowed cookie callers sign out a fresh one.
      make: async (p, _c, allowed) => ({
        url: '/api/v1/auth/logout',
        as:
          allowed && p === 'user'
            ? await signIn(t, CAROL.email, CAROL.password)
            : allowed && p === 'admin'
              ? await signIn(t)
              : undefined,
      }),
    },
    'GET /api/v1/auth/me': { rule: 'user', ok: 200, make: async () => ({ url: '/api/v1/auth/me' }) },
    'POST /api/v1/auth/password': {
      rule: 'user',
      ok: 204,
      // A password change ends the caller's other sessions (and tokens, if asked): allowed callers
      // change the password of a fresh account of their role, through the same kind of credential.
      make: async (p, _c, allowed) => {
        const body = { currentPassword: 'throwaway pass 1', newPassword: `changed password ${next()}` }
        if (!allowed) return { url: '/api/v1/auth/password', body }
        const id = await newUser(p === 'user' ? 'user' : 'admin')
        const email = (await admin.get<User>(`/api/v1/users/${id}`)).body.email
        const session = await signIn(t, email, body.currentPassword)
        if (p !== 'admin token') return { url: '/api/v1/auth/password', body, as: session }
        const token = await created(session.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'own' }))
        return { url: '/api/v1/auth/password', body, as: withToken(t, token.token) }
      },
    },

    'GET /api/v1/users': { rule: 'admin', ok: 200, make: async () => ({ url: '/api/v1/users' }) },
    'POST /api/v1/users': {
      rule: 'admin',
      ok: 201,
      make: async () => ({
        url: '/api/v1/users',
        body: { email: `new${next()}@example.com`, name: 'New', password: 'a new password 1' },
      }),
    },
    'GET /api/v1/users/{id}': { rule: 'admin', ok: 200, make: async () => ({ url: `/api/v1/users/${fx.target}` }) },
    'PATCH /api/v1/users/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/users/${fx.target}`, body: { name: `Target ${next()}` } }),
    },
    'DELETE /api/v1/users/{id}': {
      rule: 'admin',
      ok: 204,
      make: async () => ({ url: `/api/v1/users/${await newUser()}` }),
    },

    'GET /api/v1/api-tokens': { rule: 'user', ok: 200, make: async () => ({ url: '/api/v1/api-tokens' }) },
    'POST /api/v1/api-tokens': {
      rule: 'user',
      ok: 201,
      make: async () => ({ url: '/api/v1/api-tokens', body: { name: `token ${next()}`, expiresInDays: 1 } }),
    },
    'DELETE /api/v1/api-tokens/{id}': {
      rule: 'user',
      ok: 204,
      // One's own token: made by the caller when they may, else by the admin.
      make: async (_p, c, allowed) => {
        const token = await created(
          (allowed ? c : admin).post<ApiTokenCreated>('/api/v1/api-tokens', { name: `doomed ${next()}` }),
        )
        return { url: `/api/v1/api-tokens/${token.id}` }
      },
    },

    'GET /api/v1/agents': { rule: 'admin', ok: 200, make: async () => ({ url: '/api/v1/agents' }) },
    'GET /api/v1/agents/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/agents/${fx.serverAgent}` }),
    },
    'GET /api/v1/agents/{id}/desired-state': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/agents/${fx.serverAgent}/desired-state` }),
    },
    'POST /api/v1/agents/{id}/commands': {
      rule: 'admin',
      ok: 201,
      // The agent is not connected: the command is logged as failed at once, which is still a 201.
      make: async () => ({ url: `/api/v1/agents/${fx.serverAgent}/commands`, body: { command: 'ping' } }),
    },
    'PATCH /api/v1/agents/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/agents/${fx.serverAgent}`, body: { holdVersion: false } }),
    },
    'POST /api/v1/agents/{id}/update': {
      rule: 'admin',
      // The seeded agent never said hello, so it runs no `update`: refused, with the manual path.
      ok: 409,
      make: async () => ({ url: `/api/v1/agents/${fx.serverAgent}/update`, body: {} }),
    },
    'POST /api/v1/agents/update-outdated': {
      rule: 'admin',
      // No agent is connected: nothing is queued.
      ok: 202,
      make: async () => ({ url: '/api/v1/agents/update-outdated', body: { staggerSeconds: 0 } }),
    },
    'GET /api/v1/agents/{id}/commands': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/agents/${fx.serverAgent}/commands` }),
    },
    'GET /api/v1/agents/{id}/metrics': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/agents/${fx.serverAgent}/metrics` }),
    },
    'GET /releases/wirewarp-agent.js': {
      rule: 'public',
      ok: 200,
      make: async () => ({ url: '/releases/wirewarp-agent.js' }),
    },
    'GET /releases/wirewarp-agent.js.sha256': {
      rule: 'public',
      ok: 200,
      make: async () => ({ url: '/releases/wirewarp-agent.js.sha256' }),
    },
    'GET /releases/latest.json': { rule: 'public', ok: 200, make: async () => ({ url: '/releases/latest.json' }) },
    'GET /releases/manifest.json': { rule: 'public', ok: 200, make: async () => ({ url: '/releases/manifest.json' }) },
    'GET /releases/SHA256SUMS': { rule: 'public', ok: 200, make: async () => ({ url: '/releases/SHA256SUMS' }) },
    // The built-in release always has the .mjs bundle (dist/release, or else apps/agent/dist).
    'GET /releases/{name}': { rule: 'public', ok: 200, make: async () => ({ url: '/releases/wirewarp-agent.mjs' }) },
    'GET /releases/{version}/{name}': {
      rule: 'public',
      ok: 200,
      make: async () => {
        const v = (await (await fetch(`${t.url}/api/version`)).json()) as { agents: { any: string } }
        return { url: `/releases/${v.agents.any}/wirewarp-agent.mjs` }
      },
    },
    'GET /api/version': { rule: 'public', ok: 200, make: async () => ({ url: '/api/version' }) },
    'GET /install/server': { rule: 'public', ok: 200, make: async () => ({ url: '/install/server' }) },
    'GET /install/client': { rule: 'public', ok: 200, make: async () => ({ url: '/install/client' }) },
    'GET /api/v1/tunnel-servers/{id}/status': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/tunnel-servers/${fx.server}/status` }),
    },
    'GET /api/v1/events': { rule: 'admin', ok: 200, make: async () => ({ url: '/api/v1/events' }) },
    'DELETE /api/v1/agents/{id}': {
      rule: 'admin',
      ok: 204,
      make: async () => ({
        url: `/api/v1/agents/${(await insertAgent(t.db, { name: `spare-${next()}`, kind: 'client' })).id}`,
      }),
    },

    'GET /api/v1/registration-tokens': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: '/api/v1/registration-tokens' }),
    },
    'POST /api/v1/registration-tokens': {
      rule: 'admin',
      ok: 201,
      make: async () => ({
        url: '/api/v1/registration-tokens',
        body: { kind: 'client', name: `home ${next()}`, tunnelServerId: fx.server },
      }),
    },
    'DELETE /api/v1/registration-tokens/{id}': {
      rule: 'admin',
      ok: 204,
      make: async () => {
        const r = await created(
          admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', {
            kind: 'server',
            name: `vps ${next()}`,
          }),
        )
        return { url: `/api/v1/registration-tokens/${r.id}` }
      },
    },

    'GET /api/v1/tunnel-servers': { rule: 'admin', ok: 200, make: async () => ({ url: '/api/v1/tunnel-servers' }) },
    'GET /api/v1/tunnel-servers/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/tunnel-servers/${fx.server}` }),
    },
    'PATCH /api/v1/tunnel-servers/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/tunnel-servers/${fx.server}`, body: { mtu: 1400 + (next() % 20) } }),
    },

    'GET /api/v1/tunnel-clients': { rule: 'admin', ok: 200, make: async () => ({ url: '/api/v1/tunnel-clients' }) },
    'GET /api/v1/overview': { rule: 'admin', ok: 200, make: async () => ({ url: '/api/v1/overview' }) },
    'GET /api/v1/tunnel-clients/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/tunnel-clients/${fx.client}` }),
    },
    'PATCH /api/v1/tunnel-clients/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({
        url: `/api/v1/tunnel-clients/${fx.client}`,
        body: { isGateway: next() % 2 === 0, lanNetworks: ['192.168.50.0/24'] },
      }),
    },

    'GET /api/v1/port-forwards': { rule: 'admin', ok: 200, make: async () => ({ url: '/api/v1/port-forwards' }) },
    'POST /api/v1/port-forwards': {
      rule: 'admin',
      ok: 201,
      make: async () => {
        const port = 30_000 + next()
        return {
          url: '/api/v1/port-forwards',
          body: {
            tunnelServerId: fx.server,
            tunnelClientId: fx.client,
            protocol: 'udp',
            publicPort: port,
            destinationIp: '192.168.1.30',
            destinationPort: port,
          },
        }
      },
    },
    'POST /api/v1/port-forwards/from-template': {
      rule: 'admin',
      ok: 201,
      make: async () => ({
        url: '/api/v1/port-forwards/from-template',
        body: {
          templateId: await newTemplate(),
          tunnelServerId: fx.server,
          tunnelClientId: fx.client,
          destinationIp: '192.168.1.40',
        },
      }),
    },
    'GET /api/v1/port-forwards/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/port-forwards/${fx.forward}` }),
    },
    'PATCH /api/v1/port-forwards/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/port-forwards/${fx.forward}`, body: { description: `changed ${next()}` } }),
    },
    'DELETE /api/v1/port-forwards/{id}': {
      rule: 'admin',
      ok: 204,
      make: async () => ({ url: `/api/v1/port-forwards/${await newForward()}` }),
    },
    'POST /api/v1/port-forwards/{id}/enable': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/port-forwards/${fx.forward}/enable`, body: {} }),
    },
    'POST /api/v1/port-forwards/{id}/disable': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/port-forwards/${fx.forward}/disable`, body: {} }),
    },

    'GET /api/v1/service-templates': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: '/api/v1/service-templates' }),
    },
    'POST /api/v1/service-templates': {
      rule: 'admin',
      ok: 201,
      make: async () => ({
        url: '/api/v1/service-templates',
        body: { name: `Game ${next()}`, ports: [{ protocol: 'tcp', port: 7777 }] },
      }),
    },
    'PATCH /api/v1/service-templates/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({
        url: `/api/v1/service-templates/${await newTemplate()}`,
        body: { description: `changed ${next()}` },
      }),
    },
    'DELETE /api/v1/service-templates/{id}': {
      rule: 'admin',
      ok: 204,
      make: async () => ({ url: `/api/v1/service-templates/${await newTemplate()}` }),
    },

    'GET /api/v1/vpn/servers': { rule: 'user', ok: 200, make: async () => ({ url: '/api/v1/vpn/servers' }) },
    'GET /api/v1/devices': { rule: 'user', ok: 200, make: async () => ({ url: '/api/v1/devices' }) },
    'POST /api/v1/devices': {
      rule: 'user',
      ok: 201,
      make: async () => ({
        url: '/api/v1/devices',
        body: { name: `laptop ${next()}`, tunnelServerId: fx.server, publicKey: generateWgKeyPair().publicKey },
      }),
    },
    'GET /api/v1/devices/{id}': {
      rule: 'user',
      ok: 200,
      make: async (_p, c, allowed) => ({ url: `/api/v1/devices/${await newDevice(c, allowed)}` }),
    },
    'GET /api/v1/devices/{id}/config': {
      rule: 'user',
      ok: 200,
      make: async (_p, c, allowed) => ({ url: `/api/v1/devices/${await newDevice(c, allowed)}/config` }),
    },
    'PATCH /api/v1/devices/{id}': {
      rule: 'user',
      ok: 200,
      make: async (_p, c, allowed) => ({
        url: `/api/v1/devices/${await newDevice(c, allowed)}`,
        body: { description: 'renamed' },
      }),
    },
    'DELETE /api/v1/devices/{id}': {
      rule: 'user',
      ok: 204,
      make: async (_p, c, allowed) => ({ url: `/api/v1/devices/${await newDevice(c, allowed)}` }),
    },
    'POST /api/v1/devices/{id}/enable': {
      rule: 'user',
      ok: 200,
      make: async (_p, c, allowed) => ({ url: `/api/v1/devices/${await newDevice(c, allowed)}/enable`, body: {} }),
    },
    'POST /api/v1/devices/{id}/disable': {
      rule: 'user',
      ok: 200,
      make: async (_p, c, allowed) => ({ url: `/api/v1/devices/${await newDevice(c, allowed)}/disable`, body: {} }),
    },
    'POST /api/v1/devices/{id}/rotate-key': {
      rule: 'user',
      ok: 200,
      make: async (_p, c, allowed) => ({
        url: `/api/v1/devices/${await newDevice(c, allowed)}/rotate-key`,
        body: { publicKey: generateWgKeyPair().publicKey },
      }),
    },
    'GET /api/v1/rules': { rule: 'admin', ok: 200, make: async () => ({ url: '/api/v1/rules' }) },
    'POST /api/v1/rules': {
      rule: 'admin',
      ok: 201,
      make: async () => ({ url: '/api/v1/rules', body: { action: 'accept', destination: '192.168.1.0/24' } }),
    },
    'GET /api/v1/rules/effective': {
      rule: 'user',
      ok: 200,
      // One's own rules: Carol's for Carol, any user's for an admin.
      make: async () => ({ url: `/api/v1/rules/effective?userId=${fx.carol}&tunnelServerId=${fx.server}` }),
    },
    'GET /api/v1/rules/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/rules/${await newRule()}` }),
    },
    'PATCH /api/v1/rules/{id}': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: `/api/v1/rules/${await newRule()}`, body: { action: 'accept' } }),
    },
    'DELETE /api/v1/rules/{id}': {
      rule: 'admin',
      ok: 204,
      make: async () => ({ url: `/api/v1/rules/${await newRule()}` }),
    },
    'GET /api/v1/settings/vpn': { rule: 'user', ok: 200, make: async () => ({ url: '/api/v1/settings/vpn' }) },
    'PATCH /api/v1/settings/vpn': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: '/api/v1/settings/vpn', body: { maxDevicesPerUser: 0 } }),
    },

    'GET /api/v1/audit-log': { rule: 'admin', ok: 200, make: async () => ({ url: '/api/v1/audit-log?limit=5' }) },
    'GET /api/v1/audit-log/actions': {
      rule: 'admin',
      ok: 200,
      make: async () => ({ url: '/api/v1/audit-log/actions' }),
    },
  }

  /** What a refused call must not touch (sessions, the audit log and use times aside). */
  async function snapshot(): Promise<string> {
    const db = t.db
    const tables = await Promise.all([
      db.selectFrom('users').selectAll().orderBy('id').execute(),
      db.selectFrom('apiTokens').select(['id', 'name', 'expiresAt', 'revokedAt']).orderBy('id').execute(),
      db.selectFrom('agents').select(['id', 'name', 'desiredRevision']).orderBy('id').execute(),
      db.selectFrom('registrationTokens').selectAll().orderBy('id').execute(),
      db.selectFrom('tunnelServers').selectAll().orderBy('id').execute(),
      db.selectFrom('tunnelClients').selectAll().orderBy('id').execute(),
      db.selectFrom('portForwards').selectAll().orderBy('id').execute(),
      db.selectFrom('serviceTemplates').selectAll().orderBy('id').execute(),
      db.selectFrom('devices').selectAll().orderBy('id').execute(),
      db.selectFrom('rules').selectAll().orderBy('id').execute(),
      db.selectFrom('settings').select(['key', 'value']).orderBy('key').execute(),
    ])
    return JSON.stringify(tables.map((rows) => rows.map((r) => ({ ...r, lastLoginAt: undefined }))))
  }

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
    adminId = (await admin.get<User>('/api/v1/auth/me')).body.id
    const seeded = await seedTunnel(t.db)

    const carolId = (await created(admin.post<User>('/api/v1/users', { ...CAROL, name: 'Carol', role: 'user' }))).id
    carol = await signIn(t, CAROL.email, CAROL.password)
    const target = await created(
      admin.post<User>('/api/v1/users', { email: 'target@example.com', name: 'Target', password: 'target password 1' }),
    )

    adminToken = (await created(admin.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'admin script' }))).token
    const revoked = await created(admin.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'revoked script' }))
    revokedToken = revoked.token
    expect((await admin.delete(`/api/v1/api-tokens/${revoked.id}`)).status).toBe(204)

    fx = {
      server: seeded.server.id,
      client: seeded.client.id,
      serverAgent: seeded.serverAgent.id,
      target: target.id,
      forward: '',
      carol: carolId,
    }
    // The matrix makes many devices for one user.
    expect((await admin.patch('/api/v1/settings/vpn', { maxDevicesPerUser: 0 })).status).toBe(200)
    fx.forward = await newForward()
  })
  afterAll(async () => {
    await t?.close()
  })

  test('every route in the OpenAPI document has an expectation here, and nothing else does', async () => {
    const docs = await anonymous(t).get<{ paths: Record<string, Record<string, unknown>> }>('/api/docs/json')
    expect(docs.status).toBe(200)
    const served = Object.entries(docs.body.paths)
      .filter(([path]) => ['/api/', '/releases/', '/install/'].some((p) => path.startsWith(p)))
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      )
    const missing = served.filter((r) => !(r in ROUTES))
    const stale = Object.keys(ROUTES).filter((r) => !served.includes(r))
    expect(missing, `routes without an authorization expectation: ${missing.join(', ')}`).toEqual([])
    expect(stale, `expectations for routes the server does not have: ${stale.join(', ')}`).toEqual([])
    expect(served.length).toBeGreaterThanOrEqual(35)
    // The docs show a lock exactly where a caller needs to authenticate.
    for (const route of served) {
      const [method, path] = route.split(' ') as [string, string]
      const op = docs.body.paths[path]![method.toLowerCase()] as { security?: unknown[] }
      expect(op.security?.length === 0, `${route}: marked public in the docs`).toBe(ROUTES[route]!.rule === 'public')
    }
  })

  test('the table agrees with the intended roles', () => {
    const byRule = (rule: Rule) =>
      Object.entries(ROUTES)
        .filter(([, s]) => s.rule === rule)
        .map(([r]) => r)
    expect(byRule('public').sort()).toEqual([
      'GET /api/health',
      'GET /api/version',
      'GET /install/client',
      'GET /install/server',
      'GET /releases/SHA256SUMS',
      'GET /releases/latest.json',
      'GET /releases/manifest.json',
      'GET /releases/wirewarp-agent.js',
      'GET /releases/wirewarp-agent.js.sha256',
      'GET /releases/{name}',
      'GET /releases/{version}/{name}',
      'POST /api/v1/auth/login',
    ])
    expect(byRule('user').sort()).toEqual([
      'DELETE /api/v1/api-tokens/{id}',
      'DELETE /api/v1/devices/{id}',
      'GET /api/v1/api-tokens',
      'GET /api/v1/auth/me',
      'GET /api/v1/devices',
      'GET /api/v1/devices/{id}',
      'GET /api/v1/devices/{id}/config',
      'GET /api/v1/rules/effective',
      'GET /api/v1/settings/vpn',
      'GET /api/v1/vpn/servers',
      'PATCH /api/v1/devices/{id}',
      'POST /api/v1/api-tokens',
      'POST /api/v1/auth/logout',
      'POST /api/v1/auth/password',
      'POST /api/v1/devices',
      'POST /api/v1/devices/{id}/disable',
      'POST /api/v1/devices/{id}/enable',
      'POST /api/v1/devices/{id}/rotate-key',
    ])
    for (const r of byRule('admin'))
      expect(r).toMatch(
        / \/api\/v1\/(users|agents|registration-tokens|tunnel-servers|tunnel-clients|port-forwards|service-templates|audit-log|events|overview|rules|settings)\b/,
      )
  })

  const cases = PRINCIPALS.flatMap((principal) =>
    Object.entries(ROUTES).map(([route, spec]) => ({
      principal,
      route,
      rule: spec.rule,
      bug: knownBug(principal, spec.rule),
    })),
  )

  async function check({ principal, route }: { principal: PrincipalName; route: string }) {
    const spec = ROUTES[route]!
    const outcome = expected(principal, spec.rule)
    const method = route.split(' ')[0]!
    const client = await clientOf(principal)
    const call = await spec.make(principal, client, outcome.allowed)
    const before = outcome.allowed ? '' : await snapshot()
    const res = await (call.as ?? client).request<ErrorReply>(method, call.url, call.body)
    const shown = `${method} ${call.url} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`
    if (outcome.allowed) {
      expect(res.status, shown).toBe(spec.ok)
    } else {
      expect(res.status, shown).toBe(outcome.status)
      expect(res.body.error?.code, shown).toBe(outcome.code)
      expect(res.body.error?.message?.length, shown).toBeGreaterThan(10)
      expect(await snapshot(), `${shown} changed the database`).toBe(before)
    }
  }

  test.each(cases.filter((c) => !c.bug))('$principal → $route ($rule)', check)
  test.fails.each(cases.filter((c) => c.bug))('known bug: $principal → $route ($rule)', check)

  test('authentication runs before validation: refused callers cannot probe schemas', async () => {
    const garbage = (route: string) => {
      const [method, path] = route.split(' ') as [string, string]
      const url = path.replace('{id}', 'not-a-uuid')
      if (method === 'GET') return { method, url: `${url}${url.includes('?') ? '&' : '?'}limit=abc&bogus=1` }
      return { method, url, body: '{"broken": ' }
    }
    for (const [route, spec] of Object.entries(ROUTES)) {
      if (spec.rule === 'public') continue
      const g = garbage(route)
      const anon = await anonymous(t).request<ErrorReply>(g.method, g.url, g.body)
      expect([anon.status, anon.body.error?.code], `anonymous ${route}`).toEqual([401, 'unauthenticated'])
      const revoked = await withToken(t, revokedToken).request<ErrorReply>(g.method, g.url, g.body)
      expect([revoked.status, revoked.body.error?.code], `revoked ${route}`).toEqual([401, 'auth.invalid_token'])
      if (spec.rule === 'admin') {
        const user = await carol.request<ErrorReply>(g.method, g.url, g.body)
        expect([user.status, user.body.error?.code], `user ${route}`).toEqual([403, 'forbidden'])
      }
      // The same garbage from an admin is a 400: the 401/403 above came first, not instead.
      // (GET /auth/me has no parameters to get wrong.)
      if (route === 'GET /api/v1/auth/me') continue
      const own = await admin.request<ErrorReply>(g.method, g.url, g.body)
      expect(own.status, `admin ${route}: ${JSON.stringify(own.body)}`).toBe(400)
    }
  })

  test('HEAD of an admin route is refused like its GET', async () => {
    for (const route of Object.keys(ROUTES).filter((r) => r.startsWith('GET ') && ROUTES[r]!.rule !== 'public')) {
      const url = route.slice(4).replace('{id}', fx.forward)
      const anon = await fetch(t.url + url, { method: 'HEAD' })
      expect(anon.status, `HEAD ${url}`).toBe(401)
      if (ROUTES[route]!.rule === 'admin') {
        const user = await fetch(t.url + url, { method: 'HEAD', headers: { cookie: carol.auth.cookie! } })
        expect(user.status, `HEAD ${url} as a user`).toBe(403)
      }
    }
  })

  test('a malformed Authorization header is refused, not ignored', async () => {
    for (const authorization of [
      'Basic YWRtaW46YWRtaW4=',
      'Bearer',
      `Token ${adminToken}`,
      `Bearer ${adminToken} extra`,
    ]) {
      const r = await fetch(`${t.url}/api/v1/auth/me`, { headers: { authorization, cookie: admin.auth.cookie! } })
      expect(r.status, authorization).toBe(401)
    }
  })

  describe('CSRF: cookie-authenticated writes need this server’s Origin', () => {
    const raw = (url: string, init: { method: string; headers: Record<string, string>; body?: unknown }) =>
      fetch(t.url + url, {
        method: init.method,
        headers: { 'content-type': 'application/json', ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => null)) as ErrorReply | null }))

    test('a foreign Origin is refused on POST, PATCH and DELETE, and changes nothing', async () => {
      const victim = await newUser()
      const before = await snapshot()
      for (const [method, url, body] of [
        ['POST', '/api/v1/api-tokens', { name: 'csrf' }],
        [
          'POST',
          '/api/v1/users',
          { email: 'evil@example.com', name: 'Evil', password: 'evil password 1', role: 'admin' },
        ],
        ['PATCH', `/api/v1/users/${victim}`, { role: 'admin' }],
        ['DELETE', `/api/v1/users/${victim}`, undefined],
        ['POST', '/api/v1/auth/logout', {}],
      ] as const) {
        const r = await raw(url, {
          method,
          headers: { cookie: admin.auth.cookie!, origin: 'http://evil.example' },
          body,
        })
        expect([r.status, r.body?.error?.code], `${method} ${url}`).toEqual([403, 'csrf'])
        expect(r.body?.error?.message).toContain('http://evil.example')
      }
      expect(await snapshot()).toBe(before)
      expect((await admin.get('/api/v1/auth/me')).status).toBe(200)
    })

    test('a cookie-authenticated write without Origin is refused', async () => {
      const r = await raw('/api/v1/api-tokens', {
        method: 'POST',
        headers: { cookie: admin.auth.cookie! },
        body: { name: 'no origin' },
      })
      expect([r.status, r.body?.error?.code]).toEqual([403, 'csrf'])
      const nullOrigin = await raw('/api/v1/api-tokens', {
        method: 'POST',
        headers: { cookie: admin.auth.cookie!, origin: 'null' },
        body: { name: 'null origin' },
      })
      expect([nullOrigin.status, nullOrigin.body?.error?.code]).toEqual([403, 'csrf'])
    })

    test('reads with a cookie need no Origin', async () => {
      const r = await raw('/api/v1/auth/me', {
        method: 'GET',
        headers: { cookie: admin.auth.cookie!, origin: 'http://evil.example' },
      })
      expect(r.status).toBe(200)
    })

    test('a Bearer token needs no Origin (it is not sent by browsers on their own)', async () => {
      const r = await raw('/api/v1/api-tokens', {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}` },
        body: { name: 'from a script' },
      })
      expect(r.status).toBe(201)
    })

    test('sign-in from a foreign Origin is refused (login CSRF); without Origin it is allowed', async () => {
      const evil = await raw('/api/v1/auth/login', {
        method: 'POST',
        headers: { origin: 'http://evil.example' },
        body: CAROL,
      })
      expect([evil.status, evil.body?.error?.code]).toEqual([403, 'csrf'])
      const script = await raw('/api/v1/auth/login', { method: 'POST', headers: {}, body: CAROL })
      expect(script.status).toBe(200)
    })
  })

  test('sign-out revokes the session: the old cookie gets 401', async () => {
    const c = await signIn(t, CAROL.email, CAROL.password)
    expect((await c.get('/api/v1/auth/me')).status).toBe(200)
    expect((await c.post('/api/v1/auth/logout')).status).toBe(204)
    const after = await c.get<ErrorReply>('/api/v1/auth/me')
    expect([after.status, after.body.error?.code]).toEqual([401, 'unauthenticated'])
    expect((await carol.get('/api/v1/auth/me')).status).toBe(200) // her other session lives on
  })

  test('an expired session: 401 auth.session_expired once, then the session is gone', async () => {
    for (const expire of [
      { expiresAt: new Date(Date.now() - 1000).toISOString() },
      // Idle for longer than sessionIdleMs, although not past its maximum age.
      { lastSeenAt: new Date(Date.now() - t.config.sessionIdleMs - 60_000).toISOString() },
    ]) {
      const c = await signIn(t, CAROL.email, CAROL.password)
      const hash = sha256(c.auth.cookie!.split('=')[1]!)
      await t.db.updateTable('sessions').set(expire).where('tokenHash', '=', hash).execute()

      const first = await c.get<ErrorReply>('/api/v1/auth/me')
      expect([first.status, first.body.error?.code], JSON.stringify(expire)).toEqual([401, 'auth.session_expired'])
      expect(first.headers.getSetCookie().join()).toMatch(new RegExp(`${SESSION_COOKIE}=;`))
      expect(
        await t.db.selectFrom('sessions').select('id').where('tokenHash', '=', hash).executeTakeFirst(),
      ).toBeUndefined()
      const again = await c.get<ErrorReply>('/api/v1/auth/me')
      expect([again.status, again.body.error?.code]).toEqual([401, 'unauthenticated'])
    }
  })

  test('an expired API token and a disabled account’s credentials are refused', async () => {
    const expiring = await created(
      admin.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'short lived', expiresInDays: 1 }),
    )
    await t.db
      .updateTable('apiTokens')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', expiring.id)
      .execute()
    const r = await withToken(t, expiring.token).get<ErrorReply>('/api/v1/auth/me')
    expect([r.status, r.body.error?.code]).toEqual([401, 'auth.token_expired'])

    const dave = { email: 'dave@example.com', password: 'dave password 12' }
    const daveUser = await created(admin.post<User>('/api/v1/users', { ...dave, name: 'Dave' }))
    const daveCookie = await signIn(t, dave.email, dave.password)
    const daveToken = await created(daveCookie.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'dave script' }))
    expect((await withToken(t, daveToken.token).get('/api/v1/auth/me')).status).toBe(200)
    expect((await admin.patch(`/api/v1/users/${daveUser.id}`, { disabled: true })).status).toBe(200)
    const byToken = await withToken(t, daveToken.token).get<ErrorReply>('/api/v1/auth/me')
    expect([byToken.status, byToken.body.error?.code]).toEqual([401, 'auth.account_disabled'])
    expect((await daveCookie.get('/api/v1/auth/me')).status).toBe(401)
  })

  test('a user cannot revoke another user’s API token (it is "not found" to them)', async () => {
    const adminOwn = await created(admin.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'not carols' }))
    const r = await carol.delete<ErrorReply>(`/api/v1/api-tokens/${adminOwn.id}`)
    expect([r.status, r.body.error?.code]).toEqual([404, 'not_found'])
    expect((await withToken(t, adminOwn.token).get('/api/v1/auth/me')).status).toBe(200)
    const list = await carol.get<{ items: { id: string }[] }>('/api/v1/api-tokens?limit=500')
    expect(list.body.items.map((i) => i.id)).not.toContain(adminOwn.id)
  })

  test('unknown email and wrong password get the same answer', async () => {
    const wrongPassword = await anonymous(t).post<ErrorReply>('/api/v1/auth/login', {
      email: CAROL.email,
      password: 'not her password',
    })
    const unknown = await anonymous(t).post<ErrorReply>('/api/v1/auth/login', {
      email: 'nobody@example.com',
      password: 'not her password',
    })
    expect(wrongPassword.status).toBe(401)
    expect(wrongPassword.body.error?.code).toBe('auth.invalid_credentials')
    expect(unknown.status).toBe(wrongPassword.status)
    expect(unknown.body).toEqual(wrongPassword.body)
    expect(unknown.headers.get('set-cookie')).toBeNull()
  })

  test('login throttling: repeated wrong passwords for one account get 429 with Retry-After, even with the right one', async () => {
    const erin = { email: 'erin@example.com', password: 'erin password 12' }
    await created(admin.post<User>('/api/v1/users', { ...erin, name: 'Erin' }))
    const statuses: number[] = []
    let throttled: Reply<ErrorReply> | undefined
    for (let i = 0; i < 20 && !throttled; i++) {
      const r = await anonymous(t).post<ErrorReply>('/api/v1/auth/login', { email: erin.email, password: `wrong ${i}` })
      statuses.push(r.status)
      if (r.status === 429) throttled = r
    }
    expect(throttled, `statuses: ${statuses.join(' ')}`).toBeDefined()
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true)
    expect(statuses.length).toBeGreaterThan(3)
    expect(throttled!.body.error?.code).toBe('auth.throttled')
    const retryAfter = Number(throttled!.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(throttled!.body.error?.message).toContain(String(retryAfter))

    // The right password does not get through while throttled, and differently cased email is the same account.
    const right = await anonymous(t).post<ErrorReply>('/api/v1/auth/login', {
      email: 'ERIN@example.com',
      password: erin.password,
    })
    expect(right.status).toBe(429)
    // Other accounts are not affected.
    expect(
      (await anonymous(t).post('/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password })).status,
    ).toBe(200)
  })
})
