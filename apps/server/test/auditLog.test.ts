/**
 * The audit log over real HTTP, on SQLite and on PostgreSQL: entries name their actor and target
 * (also once the target is deleted), text filters match prefixes ignoring case, and `%` or `_` in a
 * filter match only themselves.
 */
import type { AuditActions, AuditEntry, PortForward, User } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ADMIN, type Client, seedTunnel, signIn, skipDb, startTestServer, type TestServer } from './harness.ts'

type Page<T> = { items: T[]; total: number }

const skip = await skipDb()

describe.skipIf(skip)('audit log', () => {
  let t: TestServer
  let admin: Client
  let tunnel: Awaited<ReturnType<typeof seedTunnel>>
  let named: PortForward
  let unnamed: PortForward
  let percent: PortForward
  let user: User

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
    tunnel = await seedTunnel(t.db, { server: 'vps-audit', client: 'homelab-audit' })
    const base = {
      tunnelServerId: tunnel.server.id,
      tunnelClientId: tunnel.client.id,
      destinationIp: '192.168.50.20',
    }
    const post = async (body: Record<string, unknown>) => {
      const r = await admin.post<PortForward>('/api/v1/port-forwards', { ...base, ...body })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      return r.body
    }
    named = await post({ protocol: 'tcp', publicPort: 8443, destinationPort: 443, description: 'Nextcloud web' })
    unnamed = await post({ protocol: 'tcp', publicPort: 25565, destinationPort: 25565 })
    percent = await post({ protocol: 'udp', publicPort: 2456, destinationPort: 2456, description: '100% uptime' })
    expect((await admin.post(`/api/v1/port-forwards/${named.id}/disable`)).status).toBe(200)
    expect((await admin.delete(`/api/v1/port-forwards/${unnamed.id}`)).status).toBe(204)
    const created = await admin.post<User>('/api/v1/users', {
      email: 'Audit.Person@example.com',
      name: 'Audit person',
      password: 'plum tractor 42 lagoon',
    })
    expect(created.status).toBe(201)
    user = created.body
    expect((await admin.patch(`/api/v1/tunnel-servers/${tunnel.server.id}`, { name: 'vps-renamed' })).status).toBe(200)
  })
  afterAll(async () => {
    await t?.close()
  })

  const list = async (query: string) => {
    const r = await admin.get<Page<AuditEntry>>(`/api/v1/audit-log?limit=500&${query}`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    return r.body.items
  }

  test('entries name their actor and target, as called today or as recorded when deleted', async () => {
    const items = await list('')
    const find = (action: string, targetId: string) => items.find((e) => e.action === action && e.targetId === targetId)
    expect(find('port_forward.create', named.id)).toMatchObject({ actorName: ADMIN.email, targetName: 'Nextcloud web' })
    expect(find('port_forward.disable', named.id)?.targetName).toBe('Nextcloud web')
    // Deleted, and without a description: named by what it opened, from the entries about it.
    expect(find('port_forward.create', unnamed.id)?.targetName).toBe('TCP 25565')
    expect(find('port_forward.delete', unnamed.id)?.targetName).toBe('TCP 25565')
    expect(find('user.create', user.id)?.targetName).toBe(user.email)
    // Renamed: the name of today.
    expect(find('tunnel_server.update', tunnel.server.id)?.targetName).toBe('vps-renamed')
    const login = items.find((e) => e.action === 'auth.login')
    expect(login).toMatchObject({ actorName: ADMIN.email, targetName: ADMIN.email })
  })

  test('a deleted user is named by the email the entries recorded', async () => {
    const gone = await admin.post<User>('/api/v1/users', {
      email: 'leaving@example.com',
      name: 'Leaving',
      password: 'plum tractor 42 lagoon',
    })
    expect((await admin.delete(`/api/v1/users/${gone.body.id}`)).status).toBe(204)
    const items = await list(`targetId=${gone.body.id}`)
    expect(items.map((e) => e.action).sort()).toEqual(['user.create', 'user.delete'])
    for (const e of items) expect(e.targetName).toBe('leaving@example.com')
  })

  test('the action filter matches a prefix', async () => {
    const forwards = await list('action=port_forward.')
    expect(new Set(forwards.map((e) => e.action))).toEqual(
      new Set(['port_forward.create', 'port_forward.disable', 'port_forward.delete']),
    )
    expect(await list('action=PORT_FORWARD.DEL')).toHaveLength(1)
    expect(await list('action=forward')).toHaveLength(0)
  })

  test('the target filter matches the start of a name or id, ignoring case', async () => {
    const next = await list('target=nextc')
    expect(next.length).toBeGreaterThanOrEqual(2)
    for (const e of next) expect(e.targetId).toBe(named.id)
    expect((await list(`target=${named.id.slice(0, 6)}`)).every((e) => e.targetId === named.id)).toBe(true)
    expect((await list('target=audit.person')).map((e) => e.targetId)).toContain(user.id)
    expect((await list('targetType=tunnel_')).map((e) => e.action)).toContain('tunnel_server.update')
    expect((await list('actor=ADMIN@')).length).toBeGreaterThan(0)
  })

  test('the actor filter finds an actor by the email recorded then or by the one of today', async () => {
    const mover = await admin.post<User>('/api/v1/users', {
      email: 'before.move@example.com',
      name: 'Mover',
      password: 'plum tractor 42 lagoon',
    })
    await signIn(t, 'before.move@example.com', 'plum tractor 42 lagoon')
    expect((await admin.patch(`/api/v1/users/${mover.body.id}`, { email: 'after.move@example.com' })).status).toBe(200)
    for (const actor of ['before.move', 'AFTER.move'])
      expect((await list(`actor=${actor}`)).map((e) => [e.action, e.actorName])).toEqual([
        ['auth.login', 'after.move@example.com'],
      ])
  })

  test('% and _ in a filter are literal', async () => {
    // "100% uptime" matches "100%", but "%" alone is no wildcard, nor "_" a single character.
    expect((await list(`target=${encodeURIComponent('100%')}`)).map((e) => e.targetId)).toEqual([percent.id])
    expect(await list(`target=${encodeURIComponent('%')}`)).toHaveLength(0)
    expect(await list(`action=${encodeURIComponent('%')}`)).toHaveLength(0)
    expect(await list(`action=${encodeURIComponent('port_forward_')}`)).toHaveLength(0)
    expect(await list(`action=${encodeURIComponent('port%')}`)).toHaveLength(0)
    expect(await list(`actor=${encodeURIComponent('_dmin')}`)).toHaveLength(0)
    expect(await list(`target=${encodeURIComponent('\\')}`)).toHaveLength(0)
  })

  test('the actions for the picker: those the server writes and those in the log', async () => {
    await t.db
      .insertInto('auditLog')
      .values({
        id: '00000000-0000-4000-8000-00000000a0d1',
        at: new Date().toISOString(),
        actorType: 'system',
        actorId: null,
        actorEmail: null,
        action: 'legacy.thing',
        targetType: null,
        targetId: null,
        summary: '{}',
        ip: null,
        userAgent: null,
      })
      .execute()
    const r = await admin.get<AuditActions>('/api/v1/audit-log/actions')
    expect(r.status).toBe(200)
    expect(r.body.items).toEqual([...r.body.items].sort())
    for (const a of ['port_forward.create', 'port_forward.enable', 'user.password_change', 'legacy.thing'])
      expect(r.body.items).toContain(a)
  })
})
