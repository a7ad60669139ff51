/** The REST API over real HTTP against a started server, on SQLite and on PostgreSQL. */
import http from 'node:http'
import type {
  ApiTokenCreated,
  AuditEntry,
  Me,
  PortForward,
  RegistrationTokenCreated,
  ServiceTemplate,
  TunnelClient,
  TunnelServer,
  User,
} from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  ADMIN,
  anonymous,
  type Client,
  seedTunnel,
  signIn,
  skipDb,
  startTestServer,
  type TestServer,
  withToken,
} from './harness.ts'

type Page<T> = { items: T[]; total: number; limit: number; offset: number }

const skip = await skipDb()

describe.skipIf(skip)('REST API', () => {
  let t: TestServer
  let admin: Client
  let tunnel: Awaited<ReturnType<typeof seedTunnel>>

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
    tunnel = await seedTunnel(t.db)
  })
  afterAll(async () => {
    await t?.close()
  })

  test('health reports the database', async () => {
    const r = await anonymous(t).get<{ status: string; database: string }>('/api/health')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'ok', database: 'ok' })
  })

  test('sign in, who am I, sign out revokes the session', async () => {
    const c = await signIn(t)
    const me = await c.get<Me>('/api/v1/auth/me')
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ email: ADMIN.email, role: 'admin', authMethod: 'session' })
    expect((await c.post('/api/v1/auth/logout')).status).toBe(204)
    const after = await c.get('/api/v1/auth/me')
    expect(after.status).toBe(401)
  })

  test('the session cookie is httpOnly and SameSite', async () => {
    const res = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    })
    const cookie = res.headers.getSetCookie().join('\n')
    expect(cookie).toMatch(/wirewarp_session=/)
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
  })

  test('users: create, sign in as them, change, delete; the last admin stays', async () => {
    const created = await admin.post<User>('/api/v1/users', {
      email: 'Alice@Example.com',
      name: 'Alice',
      password: 'alice password 1',
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ email: 'alice@example.com', role: 'user', disabled: false })
    const alice = await signIn(t, 'alice@example.com', 'alice password 1')
    expect((await alice.get<Me>('/api/v1/auth/me')).body.role).toBe('user')

    const patched = await admin.patch<User>(`/api/v1/users/${created.body.id}`, { name: 'Alice B', disabled: true })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ name: 'Alice B', disabled: true })
    // Disabling ends her sessions.
    expect((await alice.get('/api/v1/auth/me')).status).toBe(401)

    const list = await admin.get<Page<User>>('/api/v1/users')
    expect(list.body.items.map((u) => u.email)).toEqual(['admin@example.com', 'alice@example.com'])

    const me = (await admin.get<Me>('/api/v1/auth/me')).body
    const demote = await admin.patch(`/api/v1/users/${me.id}`, { role: 'user' })
    expect(demote.status).toBe(409)
    expect(demote.body).toMatchObject({ error: { code: 'user.last_admin' } })

    expect((await admin.delete(`/api/v1/users/${created.body.id}`)).status).toBe(204)
    expect((await admin.get(`/api/v1/users/${created.body.id}`)).status).toBe(404)
  })

  test('API tokens: shown once, work as Bearer, record last use, revoke, expire', async () => {
    const created = await admin.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'ci script', expiresInDays: 30 })
    expect(created.status).toBe(201)
    expect(created.body.token).toMatch(/^wwp_[A-Za-z0-9_-]{43}$/)
    expect(created.body.token.startsWith(created.body.prefix)).toBe(true)

    const bot = withToken(t, created.body.token)
    const me = await bot.get<Me>('/api/v1/auth/me')
    expect(me.status).toBe(200)
    expect(me.body.authMethod).toBe('token')

    const list = await admin.get<Page<{ id: string; lastUsedAt: string | null; token?: string }>>('/api/v1/api-tokens')
    const row = list.body.items.find((i) => i.id === created.body.id)
    expect(row?.lastUsedAt).not.toBeNull()
    expect(row && 'token' in row).toBe(false)

    // Only the hash is stored.
    const stored = await t.db
      .selectFrom('apiTokens')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(stored)).not.toContain(created.body.token)

    expect((await admin.delete(`/api/v1/api-tokens/${created.body.id}`)).status).toBe(204)
    expect((await bot.get('/api/v1/auth/me')).status).toBe(401)

    const expiring = await admin.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'short', expiresInDays: 1 })
    await t.db
      .updateTable('apiTokens')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', expiring.body.id)
      .execute()
    const expired = await withToken(t, expiring.body.token).get('/api/v1/auth/me')
    expect(expired.status).toBe(401)
    expect(expired.body).toMatchObject({ error: { code: 'auth.token_expired' } })
  })

  test('a user cannot revoke another user’s token', async () => {
    await admin.post('/api/v1/users', { email: 'bob@example.com', name: 'Bob', password: 'bob password 12' })
    const bob = await signIn(t, 'bob@example.com', 'bob password 12')
    const adminToken = await admin.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'admin own' })
    expect((await bob.delete(`/api/v1/api-tokens/${adminToken.body.id}`)).status).toBe(404)
    expect((await withToken(t, adminToken.body.token).get('/api/v1/auth/me')).status).toBe(200)
  })

  test('registration tokens: install command, hashed, listed without secret, revocable', async () => {
    const r = await admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', {
      kind: 'client',
      name: 'homelab-2',
      tunnelServerId: tunnel.server.id,
      expiresInHours: 2,
    })
    expect(r.status).toBe(201)
    expect(r.body.status).toBe('active')
    expect(r.body.installCommand).toBe(
      `(curl -fsSL '${t.url}/install/client' || wget -qO- '${t.url}/install/client') | sh -s -- --url '${t.url}' --token '${r.body.token}'`,
    )
    const hours = (Date.parse(r.body.expiresAt) - Date.now()) / 3600_000
    expect(hours).toBeGreaterThan(1.9)
    expect(hours).toBeLessThanOrEqual(2)
    const list = await admin.get<Page<Record<string, unknown>>>('/api/v1/registration-tokens')
    expect(JSON.stringify(list.body)).not.toContain(r.body.token)
    expect((await admin.delete(`/api/v1/registration-tokens/${r.body.id}`)).status).toBe(204)
    const after = await admin.get<Page<{ id: string; status: string }>>('/api/v1/registration-tokens')
    expect(after.body.items.find((i) => i.id === r.body.id)?.status).toBe('revoked')
  })

  test('a Host header that could break out of the install command is refused, and no token is stored', async () => {
    const before = await admin.get<Page<unknown>>('/api/v1/registration-tokens')
    // fetch will not send a forged Host header; node:http will.
    const evilHost = "x';reboot;'"
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${t.url}/api/v1/registration-tokens`,
        {
          method: 'POST',
          headers: {
            host: evilHost,
            origin: `http://${evilHost}`,
            cookie: admin.auth.cookie!,
            'content-type': 'application/json',
          },
        },
        (res) => {
          let body = ''
          res.on('data', (d) => {
            body += d
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        },
      )
      req.on('error', reject)
      req.end(JSON.stringify({ kind: 'server', name: 'evil' }))
    })
    expect(r.status, r.body).toBe(400)
    expect(JSON.parse(r.body).error.code).toBe('registration_token.bad_host')
    expect((await admin.get<Page<unknown>>('/api/v1/registration-tokens')).body.total).toBe(before.body.total)
  })

  test('tunnel servers and clients: read and update; a changed server gets a new desired revision', async () => {
    const before = await t.db
      .selectFrom('agents')
      .select('desiredRevision')
      .where('id', '=', tunnel.serverAgent.id)
      .executeTakeFirstOrThrow()
    const r = await admin.patch<TunnelServer>(`/api/v1/tunnel-servers/${tunnel.server.id}`, {
      publicIp: '203.0.113.20',
      mtu: 1380,
      dns: ['1.1.1.1', '2606:4700:4700::1111'],
      tunnelNetworkV6: 'fd00:99::/64',
    })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      publicIp: '203.0.113.20',
      mtu: 1380,
      dns: ['1.1.1.1', '2606:4700:4700::1111'],
      tunnelNetworkV6: 'fd00:99::/64',
    })
    const after = await t.db
      .selectFrom('agents')
      .select('desiredRevision')
      .where('id', '=', tunnel.serverAgent.id)
      .executeTakeFirstOrThrow()
    expect(Number(after.desiredRevision)).toBe(Number(before.desiredRevision) + 1)

    const c = await admin.patch<TunnelClient>(`/api/v1/tunnel-clients/${tunnel.client.id}`, {
      isGateway: true,
      lanNetworks: ['192.168.50.0/24'],
      lanIp: '192.168.50.10',
    })
    expect(c.status).toBe(200)
    expect(c.body).toMatchObject({
      isGateway: true,
      lanNetworks: ['192.168.50.0/24'],
      lanIp: '192.168.50.10',
      tunnelIp: '10.99.0.2',
    })

    // Shrinking the tunnel network below a client's address is refused.
    const shrink = await admin.patch(`/api/v1/tunnel-servers/${tunnel.server.id}`, { tunnelNetworkV4: '10.98.0.0/24' })
    expect(shrink.status).toBe(409)
  })

  test('moving a client to another server allocates a free tunnel address there', async () => {
    const other = await seedTunnel(t.db, { server: 'vps-2', client: 'homelab-9' })
    const moved = await admin.patch<TunnelClient>(`/api/v1/tunnel-clients/${tunnel.client.id}`, {
      tunnelServerId: other.server.id,
    })
    expect(moved.status).toBe(200)
    // vps-2's .2 is homelab-9's; .1 is the server's own.
    expect(moved.body.tunnelIp).toBe('10.99.0.3')
    const back = await admin.patch<TunnelClient>(`/api/v1/tunnel-clients/${tunnel.client.id}`, {
      tunnelServerId: tunnel.server.id,
      tunnelIp: '10.99.0.2',
    })
    expect(back.body).toMatchObject({ tunnelServerId: tunnel.server.id, tunnelIp: '10.99.0.2' })
  })

  test('port forwards: create, range, edit, disable, enable, delete', async () => {
    const base = { tunnelServerId: tunnel.server.id, tunnelClientId: tunnel.client.id }
    const web = await admin.post<PortForward>('/api/v1/port-forwards', {
      ...base,
      protocol: 'tcp',
      publicPort: 8443,
      destinationIp: '192.168.50.20',
      destinationPort: 443,
      description: 'Nextcloud',
    })
    expect(web.status).toBe(201)
    expect(web.body).toMatchObject({ enabled: true, preserveClientIp: false, publicPortEnd: null })

    const range = await admin.post<PortForward>('/api/v1/port-forwards', {
      ...base,
      protocol: 'udp',
      publicPort: 27015,
      publicPortEnd: 27020,
      destinationIp: '10.99.0.2',
      destinationPort: 27015,
      preserveClientIp: true,
    })
    expect(range.status).toBe(201)
    expect(range.body.publicPortEnd).toBe(27020)

    // tcp and udp on one port are two forwards that do not collide.
    const tcpSame = await admin.post('/api/v1/port-forwards', {
      ...base,
      protocol: 'tcp',
      publicPort: 27015,
      destinationIp: '10.99.0.2',
      destinationPort: 27015,
    })
    expect(tcpSame.status).toBe(201)

    const conflict = await admin.post<{ error: { code: string; message: string } }>('/api/v1/port-forwards', {
      ...base,
      protocol: 'both',
      publicPort: 27018,
      destinationIp: '10.99.0.2',
      destinationPort: 27018,
    })
    expect(conflict.status).toBe(409)
    expect(conflict.body.error.code).toBe('forward.conflict')
    expect(conflict.body.error.message).toMatch(/27015/)

    const edited = await admin.patch<PortForward>(`/api/v1/port-forwards/${web.body.id}`, {
      publicPort: 9443,
      description: 'Cloud',
    })
    expect(edited.body).toMatchObject({ publicPort: 9443, description: 'Cloud', destinationPort: 443 })

    const off = await admin.post<PortForward>(`/api/v1/port-forwards/${web.body.id}/disable`)
    expect(off.body.enabled).toBe(false)
    const on = await admin.post<PortForward>(`/api/v1/port-forwards/${web.body.id}/enable`)
    expect(on.body.enabled).toBe(true)

    const list = await admin.get<Page<PortForward>>(`/api/v1/port-forwards?tunnelServerId=${tunnel.server.id}`)
    expect(list.body.items.map((f) => `${f.protocol}/${f.publicPort}`)).toEqual(['tcp/9443', 'tcp/27015', 'udp/27015'])

    expect((await admin.delete(`/api/v1/port-forwards/${web.body.id}`)).status).toBe(204)
    expect((await admin.get(`/api/v1/port-forwards/${web.body.id}`)).status).toBe(404)
  })

  test('service templates: built-ins seeded once; DayZ creates its forwards; a conflict creates none', async () => {
    const list = await admin.get<Page<ServiceTemplate>>('/api/v1/service-templates')
    const names = list.body.items.filter((x) => x.builtin).map((x) => x.name)
    expect(names.sort()).toEqual(['DayZ', 'Minecraft Bedrock', 'Minecraft Java', 'RDP', 'Web'])
    const dayz = list.body.items.find((x) => x.name === 'DayZ')!
    expect(dayz.ports).toEqual([
      { protocol: 'udp', port: 2302, portEnd: 2305 },
      { protocol: 'udp', port: 27016 },
    ])

    const other = await seedTunnel(t.db, { server: 'vps-3', client: 'homelab-3' })
    const made = await admin.post<{ items: PortForward[] }>('/api/v1/port-forwards/from-template', {
      templateId: dayz.id,
      tunnelServerId: other.server.id,
      tunnelClientId: other.client.id,
      destinationIp: '192.168.1.50',
    })
    expect(made.status).toBe(201)
    expect(made.body.items.map((f) => [f.protocol, f.publicPort, f.publicPortEnd, f.destinationPort])).toEqual([
      ['udp', 2302, 2305, 2302],
      ['udp', 27016, null, 27016],
    ])

    // The web template's 443 is free but 80 is taken: nothing of it may be created.
    await admin.post('/api/v1/port-forwards', {
      tunnelServerId: other.server.id,
      tunnelClientId: other.client.id,
      protocol: 'tcp',
      publicPort: 80,
      destinationIp: '192.168.1.60',
      destinationPort: 8080,
    })
    const webT = list.body.items.find((x) => x.name === 'Web')!
    const refused = await admin.post('/api/v1/port-forwards/from-template', {
      templateId: webT.id,
      tunnelServerId: other.server.id,
      tunnelClientId: other.client.id,
      destinationIp: '192.168.1.50',
    })
    expect(refused.status).toBe(409)
    const forwards = await admin.get<Page<PortForward>>(`/api/v1/port-forwards?tunnelServerId=${other.server.id}`)
    expect(forwards.body.items.map((f) => f.publicPort)).toEqual([80, 2302, 27016])

    const custom = await admin.post<ServiceTemplate>('/api/v1/service-templates', {
      name: 'Valheim',
      ports: [{ protocol: 'udp', port: 2456, portEnd: 2458 }],
    })
    expect(custom.status).toBe(201)

    // A custom template can be changed: only the fields sent, validated as on create, audit-logged.
    const renamed = await admin.patch<ServiceTemplate>(`/api/v1/service-templates/${custom.body.id}`, {
      name: 'Valheim dedicated',
    })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({
      name: 'Valheim dedicated',
      ports: [{ protocol: 'udp', port: 2456, portEnd: 2458 }],
    })
    const reported = await admin.patch<ServiceTemplate>(`/api/v1/service-templates/${custom.body.id}`, {
      description: 'Valheim and its query port',
      ports: [
        { protocol: 'udp', port: 2456, portEnd: 2458 },
        { protocol: 'tcp', port: 2459 },
      ],
    })
    expect(reported.status).toBe(200)
    expect(reported.body).toMatchObject({ name: 'Valheim dedicated', description: 'Valheim and its query port' })
    expect(reported.body.ports).toHaveLength(2)
    const again = await admin.get<Page<ServiceTemplate>>('/api/v1/service-templates?limit=500')
    expect(again.body.items.find((x) => x.id === custom.body.id)?.name).toBe('Valheim dedicated')
    const bad = await admin.patch<{ error: { fields: Record<string, string> } }>(
      `/api/v1/service-templates/${custom.body.id}`,
      { name: '', ports: [{ protocol: 'tcp', port: 0 }] },
    )
    expect(bad.status).toBe(400)
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['name', 'ports.0.port'])
    expect((await admin.patch(`/api/v1/service-templates/${dayz.id}`, { description: 'mine' })).status).toBe(409)
    expect(
      (await admin.patch('/api/v1/service-templates/00000000-0000-4000-8000-000000000000', { name: 'X' })).status,
    ).toBe(404)
    const audit = await admin.get<Page<AuditEntry>>('/api/v1/audit-log?action=service_template.update')
    expect(audit.body.items.map((e) => e.targetId)).toEqual([custom.body.id, custom.body.id])
    expect(audit.body.items[1]?.summary).toMatchObject({ name: 'Valheim dedicated' })

    expect((await admin.delete(`/api/v1/service-templates/${dayz.id}`)).status).toBe(409)
    expect((await admin.delete(`/api/v1/service-templates/${custom.body.id}`)).status).toBe(204)
  })

  test('audit log: mutations are recorded with actor, IP and user agent; filters and pages', async () => {
    const all = await admin.get<Page<AuditEntry>>('/api/v1/audit-log?limit=500')
    expect(all.status).toBe(200)
    const actions = new Set(all.body.items.map((e) => e.action))
    for (const a of [
      'user.create',
      'user.update',
      'user.delete',
      'api_token.create',
      'api_token.revoke',
      'port_forward.create',
      'port_forward.disable',
      'port_forward.delete',
      'tunnel_server.update',
      'auth.login',
    ])
      expect(actions, a).toContain(a)

    const creates = await admin.get<Page<AuditEntry>>('/api/v1/audit-log?action=port_forward.create&limit=2')
    expect(creates.body.items).toHaveLength(2)
    expect(creates.body.total).toBeGreaterThanOrEqual(3)
    const e = creates.body.items[0]!
    expect(e).toMatchObject({ actorType: 'user', actorEmail: ADMIN.email, targetType: 'port_forward', ip: '127.0.0.1' })
    expect(e.userAgent).toBeTruthy()
    const page2 = await admin.get<Page<AuditEntry>>('/api/v1/audit-log?action=port_forward.create&limit=2&offset=2')
    expect(page2.body.items.map((x) => x.id)).not.toContain(e.id)

    const future = await admin.get<Page<AuditEntry>>(
      `/api/v1/audit-log?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    )
    expect(future.body.total).toBe(0)

    // Secrets never reach the audit log.
    expect(JSON.stringify(all.body)).not.toMatch(/password 1|wwp_[A-Za-z0-9_-]{20}/)
  })

  test('lists are paginated in a stable order', async () => {
    for (let i = 0; i < 5; i++)
      await admin.post('/api/v1/users', {
        email: `page${i}@example.com`,
        name: `Page ${i}`,
        password: 'page password 12',
      })
    const first = await admin.get<Page<User>>('/api/v1/users?limit=3&offset=0')
    const second = await admin.get<Page<User>>('/api/v1/users?limit=3&offset=3')
    const all = await admin.get<Page<User>>('/api/v1/users?limit=100')
    expect(first.body.total).toBe(all.body.items.length)
    expect([...first.body.items, ...second.body.items].map((u) => u.id)).toEqual(
      all.body.items.slice(0, 6).map((u) => u.id),
    )
  })

  test('OpenAPI lists every route with its schemas', async () => {
    const doc = await anonymous(t).get<{
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>
    }>('/api/docs/json')
    expect(doc.status).toBe(200)
    const paths = Object.keys(doc.body.paths)
    for (const p of [
      '/api/v1/port-forwards',
      '/api/v1/port-forwards/{id}/disable',
      '/api/v1/port-forwards/from-template',
      '/api/v1/audit-log',
      '/api/health',
    ])
      expect(paths).toContain(p)
    const operations = Object.values(doc.body.paths).flatMap((p) => Object.keys(p))
    expect(operations.length).toBeGreaterThanOrEqual(36)
    // The docs' own routes are not API operations.
    expect(paths.filter((p) => p.startsWith('/api/docs'))).toEqual([])
    const create = doc.body.paths['/api/v1/port-forwards']!.post!
    expect(JSON.stringify(create.requestBody)).toContain('publicPortEnd')
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '409']))
    const ui = await fetch(`${t.url}/api/docs`, { redirect: 'follow' })
    expect(ui.status).toBe(200)
    expect(await ui.text()).toMatch(/swagger/i)
  })

  test('data survives a server restart, and built-in templates are not seeded twice', async () => {
    const before = await admin.get<Page<PortForward>>('/api/v1/port-forwards?limit=500')
    await t.restart()
    const again = await signIn(t)
    const after = await again.get<Page<PortForward>>('/api/v1/port-forwards?limit=500')
    expect(after.body.items).toEqual(before.body.items)
    const templates = await again.get<Page<ServiceTemplate>>('/api/v1/service-templates?limit=500')
    expect(templates.body.items.filter((x) => x.builtin)).toHaveLength(5)
    admin = again
  })
})
