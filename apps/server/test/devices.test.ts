/**
 * Users' devices and their rules through the API, on both databases: what a user can reach (only
 * their own devices, on every route), what the VPN settings allow users who are not admins, the
 * addresses and config a device gets, what reaches the tunnel server's desired state, and
 * parallel creates that must never share an address or exceed the limit.
 */
import {
  type Device,
  type DeviceCreated,
  type EffectiveRules,
  MISSING_PRIVATE_KEY_NOTE,
  type Rule,
  type ServerState,
  type TunnelServer,
  type User,
  type VpnServer,
} from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { generateWgKeyPair } from '../src/tunnel/wgKeys.ts'
import { type Client, seedTunnel, signIn, skipDb, startTestServer, type TestServer } from './harness.ts'

const skip = await skipDb()
type Page<T> = { items: T[]; total: number }
type ErrorReply = { error: { code: string; message: string; fields?: Record<string, string> } }

describe.skipIf(skip)('devices', () => {
  let t: TestServer
  let admin: Client
  let alice: Client
  let bob: Client
  let aliceId: string
  let bobId: string
  let server: string
  let serverAgent: string
  let n = 0

  const key = () => generateWgKeyPair().publicKey
  async function user(email: string): Promise<[Client, string]> {
    const password = `${email} password`
    const r = await admin.post<User>('/api/v1/users', { email, name: email.split('@')[0], password })
    expect(r.status).toBe(201)
    return [await signIn(t, email, password), r.body.id]
  }
  async function add(c: Client, body: Record<string, unknown> = {}): Promise<DeviceCreated> {
    const r = await c.post<DeviceCreated>('/api/v1/devices', {
      name: `device ${++n}`,
      tunnelServerId: server,
      publicKey: key(),
      ...body,
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return r.body
  }
  async function serverState(): Promise<ServerState> {
    const r = await admin.get<ServerState>(`/api/v1/agents/${serverAgent}/desired-state`)
    expect(r.status).toBe(200)
    return r.body
  }
  const settings = (patch: Record<string, unknown>) => admin.patch('/api/v1/settings/vpn', patch)

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
    const seeded = await seedTunnel(t.db)
    server = seeded.server.id
    serverAgent = seeded.serverAgent.id
    ;[alice, aliceId] = await user('alice@example.com')
    ;[bob, bobId] = await user('bob@example.com')
  })
  afterAll(async () => {
    await t?.close()
  })

  test('a device gets an address in the device network, a config without its private key, and a peer', async () => {
    const publicKey = key()
    const d = await add(alice, { name: 'Laptop', publicKey, presharedKey: true })
    expect(d.userId).toBe(aliceId)
    expect(d.ipv4).toMatch(/^100\.96\.\d+\.\d+$/)
    expect(d.ipv6).toBeNull()
    expect(d.privateKey).toBeNull()
    expect(d.hasPresharedKey).toBe(true)
    expect(d.config).toContain(MISSING_PRIVATE_KEY_NOTE)
    expect(d.config).toContain(`Address = ${d.ipv4}/32`)
    expect(d.config).toContain('Endpoint = 203.0.113.10:51820')
    expect(d.config).toContain('AllowedIPs = 0.0.0.0/0, ::/0')
    expect(d.config).toMatch(/PresharedKey = [A-Za-z0-9+/]{43}=/)
    // A later download says the same, and tells the browser to keep no copy.
    const conf = await alice.get<string>(`/api/v1/devices/${d.id}/config`)
    expect(conf.status).toBe(200)
    expect(conf.headers.get('content-type')).toContain('text/plain')
    expect(conf.headers.get('content-disposition')).toBe('attachment; filename="Laptop.conf"')
    expect(conf.headers.get('cache-control')).toBe('no-store')
    expect(conf.body).toBe(d.config)

    const state = await serverState()
    const peer = state.vpn.devices.find((x) => x.publicKey === publicKey)
    expect(peer).toEqual({ publicKey, presharedKey: null, addresses: [`${d.ipv4}/32`], user: aliceId })
    expect(state.wireguard.peers.map((p) => p.publicKey)).not.toContain(publicKey)
    expect(state.wireguard.addresses).toContain('100.96.0.1/16')
    expect(state.vpn.deviceNetworks).toEqual(['100.96.0.0/16'])
    // The preshared key is stored sealed, never as it is.
    const row = await t.db.selectFrom('devices').select('presharedKey').where('id', '=', d.id).executeTakeFirstOrThrow()
    expect(row.presharedKey).toMatch(/^v1\./)
    expect(d.config).not.toContain(row.presharedKey!)
  })

  test('generateKey returns the private key once; the key pair matches and is never stored', async () => {
    const d = await add(bob, { publicKey: undefined, generateKey: true })
    expect(d.privateKey).toMatch(/^[A-Za-z0-9+/]{43}=$/)
    expect(d.config).toContain(`PrivateKey = ${d.privateKey}`)
    const { createPrivateKey, createPublicKey } = await import('node:crypto')
    const der = Buffer.concat([
      Buffer.from('302e020100300506032b656e04220420', 'hex'),
      Buffer.from(d.privateKey!, 'base64'),
    ])
    const pub = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' })
    expect(Buffer.from(pub.x!, 'base64url').toString('base64')).toBe(d.publicKey)
    const later = await bob.get<string>(`/api/v1/devices/${d.id}/config`)
    expect(later.body).not.toContain(d.privateKey!)
    const rows = await t.db.selectFrom('devices').selectAll().where('id', '=', d.id).execute()
    expect(JSON.stringify(rows)).not.toContain(d.privateKey!)
  })

  test("a user reaches none of another user's devices, on any route", async () => {
    const bobs = await add(bob, { name: 'Bob phone' })
    const before = await t.db.selectFrom('devices').selectAll().where('id', '=', bobs.id).executeTakeFirstOrThrow()
    const calls: [string, string, unknown?][] = [
      ['GET', `/api/v1/devices/${bobs.id}`],
      ['GET', `/api/v1/devices/${bobs.id}/config`],
      ['PATCH', `/api/v1/devices/${bobs.id}`, { name: 'mine now' }],
      ['POST', `/api/v1/devices/${bobs.id}/disable`, {}],
      ['POST', `/api/v1/devices/${bobs.id}/enable`, {}],
      ['POST', `/api/v1/devices/${bobs.id}/rotate-key`, { publicKey: key() }],
      ['DELETE', `/api/v1/devices/${bobs.id}`],
    ]
    for (const [method, url, body] of calls) {
      const r = await alice.request<ErrorReply>(method, url, body)
      // Not found, as if it did not exist: a user learns nothing of others' devices.
      expect([method, url, r.status, r.body.error.code]).toEqual([method, url, 404, 'not_found'])
    }
    const mine = await alice.get<Page<Device>>('/api/v1/devices?limit=500')
    expect(mine.body.items.length).toBeGreaterThan(0)
    expect(mine.body.items.every((d) => d.userId === aliceId)).toBe(true)
    const theirs = await alice.get<ErrorReply>(`/api/v1/devices?userId=${bobId}`)
    expect([theirs.status, theirs.body.error.code]).toEqual([403, 'forbidden'])
    const forBob = await alice.post<ErrorReply>('/api/v1/devices', {
      name: 'sneaky',
      tunnelServerId: server,
      publicKey: key(),
      userId: bobId,
    })
    expect([forBob.status, forBob.body.error.fields]).toEqual([403, { userId: expect.any(String) }])
    const effective = await alice.get<ErrorReply>(`/api/v1/rules/effective?userId=${bobId}&tunnelServerId=${server}`)
    expect(effective.status).toBe(403)
    const after = await t.db.selectFrom('devices').selectAll().where('id', '=', bobs.id).executeTakeFirstOrThrow()
    expect(after).toEqual(before)
    // An admin sees and manages everyone's.
    expect((await admin.get<Page<Device>>(`/api/v1/devices?userId=${bobId}`)).body.items.map((d) => d.id)).toContain(
      bobs.id,
    )
    expect((await admin.post<Device>(`/api/v1/devices/${bobs.id}/disable`)).body.enabled).toBe(false)
  })

  test('the settings for users who are not admins are enforced by the server', async () => {
    const own = await add(alice, { name: 'Tablet' })
    try {
      expect((await settings({ usersMayManageDevices: false })).status).toBe(200)
      for (const [method, url, body] of [
        ['POST', '/api/v1/devices', { name: 'new one', tunnelServerId: server, publicKey: key() }],
        ['POST', `/api/v1/devices/${own.id}/rotate-key`, { publicKey: key() }],
        ['POST', `/api/v1/devices/${own.id}/disable`, {}],
        ['DELETE', `/api/v1/devices/${own.id}`],
      ] as const) {
        const r = await alice.request<ErrorReply>(method, url, body)
        expect([method, url, r.status, r.body.error.code]).toEqual([method, url, 403, 'device.not_allowed'])
      }
      // Its name is still the user's own; admins are not bound by the setting.
      expect((await alice.patch(`/api/v1/devices/${own.id}`, { name: 'My tablet' })).status).toBe(200)
      await add(admin, { userId: aliceId, name: 'Given by admin' })

      await settings({ usersMayManageDevices: true, usersMayConfigureDevices: false })
      const withDns = await alice.post<ErrorReply>('/api/v1/devices', {
        name: 'custom dns',
        tunnelServerId: server,
        publicKey: key(),
        dns: ['1.1.1.1'],
      })
      expect([withDns.status, withDns.body.error.code, withDns.body.error.fields]).toEqual([
        403,
        'device.config_not_allowed',
        { dns: 'Only admins may set this' },
      ])
      const mtu = await alice.patch<ErrorReply>(`/api/v1/devices/${own.id}`, { mtu: 1280 })
      expect([mtu.status, mtu.body.error.fields]).toEqual([403, { mtu: 'Only admins may set this' }])
      // Back to the default is always allowed.
      expect((await alice.patch(`/api/v1/devices/${own.id}`, { mtu: null })).status).toBe(200)
      const set = await admin.patch<Device>(`/api/v1/devices/${own.id}`, { mtu: 1280, dns: ['9.9.9.9'] })
      expect([set.body.settings.mtu, set.body.settings.dns, set.body.overrides.mtu]).toEqual([1280, ['9.9.9.9'], 1280])
      expect((await alice.get<string>(`/api/v1/devices/${own.id}/config`)).body).toContain('DNS = 9.9.9.9\nMTU = 1280')

      await settings({ usersMayConfigureDevices: true, maxDevicesPerUser: 1 })
      const [carol] = await user('carol@example.com')
      await add(carol)
      const second = await carol.post<ErrorReply>('/api/v1/devices', {
        name: 'second',
        tunnelServerId: server,
        publicKey: key(),
      })
      expect([second.status, second.body.error.code]).toEqual([409, 'device.limit'])
    } finally {
      await settings({ usersMayManageDevices: true, usersMayConfigureDevices: true, maxDevicesPerUser: 0 })
    }
  })

  test('bad input names the field and changes nothing', async () => {
    const count = async () => (await t.db.selectFrom('devices').select('id').execute()).length
    const before = await count()
    const taken = await add(alice, { name: 'Unique' })
    for (const [body, status, field] of [
      [{ name: 'x', tunnelServerId: server }, 400, 'publicKey'],
      [{ name: 'x', tunnelServerId: server, publicKey: 'not a key' }, 400, 'publicKey'],
      [{ name: 'x', tunnelServerId: server, publicKey: key(), generateKey: true }, 400, 'generateKey'],
      [{ name: '<script>', tunnelServerId: server, publicKey: key() }, 400, 'name'],
      [{ name: 'x', tunnelServerId: server, publicKey: key(), endpoint: 'host' }, 400, 'endpoint'],
      [{ name: 'x', tunnelServerId: server, publicKey: key(), allowedIps: [] }, 400, 'allowedIps'],
      [{ name: 'x', tunnelServerId: server, publicKey: key(), mtu: 100 }, 400, 'mtu'],
      [{ name: 'x', tunnelServerId: server, publicKey: key(), dns: ['8.8.8.8\nPostUp = rm'] }, 400, 'dns.0'],
      [{ name: 'x', tunnelServerId: '00000000-0000-4000-8000-000000000000', publicKey: key() }, 404, 'tunnelServerId'],
      [{ name: 'unique', tunnelServerId: server, publicKey: key() }, 409, 'name'],
      [{ name: 'x', tunnelServerId: server, publicKey: taken.publicKey }, 409, 'publicKey'],
    ] as const) {
      const r = await alice.post<ErrorReply>('/api/v1/devices', body)
      expect([r.status, Object.keys(r.body.error.fields ?? {})], JSON.stringify(r.body)).toEqual([status, [field]])
    }
    expect(await count()).toBe(before + 1)
  })

  test("a site's key cannot become a device's", async () => {
    const siteKey = key()
    const claim = await t.db
      .insertInto('wireguardKeys')
      .values({
        publicKey: siteKey,
        tunnelServerId: null,
        tunnelClientId: null,
        deviceId: null,
        createdAt: '2026-01-01',
      })
      .execute()
    expect(claim.length).toBe(1)
    const r = await alice.post<ErrorReply>('/api/v1/devices', {
      name: 'thief',
      tunnelServerId: server,
      publicKey: siteKey,
    })
    expect([r.status, r.body.error.code]).toEqual([409, 'device.key_taken'])
  })

  test('rotating the key keeps the address; the old key leaves the registry', async () => {
    const d = await add(alice, { name: 'Rotating' })
    const next = key()
    const r = await alice.post<DeviceCreated>(`/api/v1/devices/${d.id}/rotate-key`, { publicKey: next })
    expect(r.status).toBe(200)
    expect([r.body.publicKey, r.body.ipv4]).toEqual([next, d.ipv4])
    const keys = await t.db.selectFrom('wireguardKeys').select('publicKey').where('deviceId', '=', d.id).execute()
    expect(keys).toEqual([{ publicKey: next }])
    const state = await serverState()
    expect(state.vpn.devices.map((x) => x.publicKey)).toContain(next)
    expect(state.vpn.devices.map((x) => x.publicKey)).not.toContain(d.publicKey)
  })

  test('a v6 device network gives every device a paired address', async () => {
    const d = await add(alice, { name: 'Dual stack' })
    const r = await admin.patch<TunnelServer>(`/api/v1/tunnel-servers/${server}`, { deviceNetworkV6: 'fd00:96::/64' })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const after = (await alice.get<Device>(`/api/v1/devices/${d.id}`)).body
    const offset = d.ipv4.split('.').map(Number)
    expect(after.ipv6).toBe(`fd00:96::${((offset[2]! << 8) | offset[3]!).toString(16)}`)
    const state = await serverState()
    expect(state.vpn.devices.find((x) => x.publicKey === d.publicKey)?.addresses).toEqual([
      `${d.ipv4}/32`,
      `${after.ipv6}/128`,
    ])
    // Overlaps are refused with the field named.
    for (const [body, field] of [
      [{ deviceNetworkV4: '10.99.0.0/16' }, 'deviceNetworkV4'],
      [{ deviceNetworkV4: '100.96.0.0/30' }, 'deviceNetworkV4'],
      [{ deviceNetworkV6: 'fd00:96::/120' }, 'deviceNetworkV6'],
    ] as const) {
      const bad = await admin.patch<ErrorReply>(`/api/v1/tunnel-servers/${server}`, body)
      expect([bad.status, Object.keys(bad.body.error.fields ?? {})], JSON.stringify(bad.body)).toEqual([409, [field]])
    }
    await admin.patch(`/api/v1/tunnel-servers/${server}`, { deviceNetworkV6: null })
  })

  test('rules reach the state in the order they are enforced; the default policy ends each chain', async () => {
    await add(bob, { name: 'Rules device' })
    const mk = async (body: Record<string, unknown>) => {
      const r = await admin.post<Rule>('/api/v1/rules', body)
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      return r.body
    }
    const everyoneLan = await mk({ action: 'accept', destination: '192.168.1.0/24' })
    const bobSsh = await mk({
      action: 'drop',
      destination: '192.168.1.0/24',
      protocol: 'tcp',
      ports: '22',
      userId: bobId,
    })
    const bobAll = await mk({ action: 'accept', destination: '0.0.0.0/0', userId: bobId })
    const everyoneHost = await mk({ action: 'drop', destination: '192.168.1.10/32', tunnelServerId: server })
    const effective = await admin.get<EffectiveRules>(
      `/api/v1/rules/effective?userId=${bobId}&tunnelServerId=${server}`,
    )
    expect(effective.body.rules.map((r) => r.id)).toEqual([bobSsh.id, bobAll.id, everyoneHost.id, everyoneLan.id])
    expect(effective.body.defaultPolicy).toBe('accept')
    expect(
      (await bob.get<EffectiveRules>(`/api/v1/rules/effective?userId=${bobId}&tunnelServerId=${server}`)).status,
    ).toBe(200)

    await settings({ defaultPolicy: 'drop' })
    const state = await serverState()
    expect(state.vpn.defaultPolicy).toBe('drop')
    expect(state.vpn.users.find((u) => u.id === bobId)?.rules).toEqual([
      { action: 'drop', destination: '192.168.1.0/24', protocol: 'tcp', ports: [22, 22] },
      { action: 'accept', destination: '0.0.0.0/0', protocol: null, ports: null },
      { action: 'drop', destination: '192.168.1.10/32', protocol: null, ports: null },
      { action: 'accept', destination: '192.168.1.0/24', protocol: null, ports: null },
    ])
    const bad = await admin.post<ErrorReply>('/api/v1/rules', {
      action: 'allow',
      destination: '10.0.0.1/8',
      ports: '9-1',
    })
    expect(Object.keys(bad.body.error.fields ?? {}).sort()).toEqual(['action', 'destination', 'ports'])
    await settings({ defaultPolicy: 'accept' })
  })

  test('disabling a user takes their peers off; deleting them removes devices and rules', async () => {
    const [dave, daveId] = await user('dave@example.com')
    const d = await add(dave, { name: 'Dave laptop' })
    const rule = (
      await admin.post<Rule>('/api/v1/rules', { action: 'drop', destination: '10.0.0.0/8', userId: daveId })
    ).body
    const keys = async () => (await serverState()).vpn.devices.map((x) => x.publicKey)
    expect(await keys()).toContain(d.publicKey)
    const listed = await admin.get<Page<User & { devices: number }>>('/api/v1/users?limit=500')
    expect(listed.body.items.find((u) => u.id === daveId)?.devices).toBe(1)
    expect((await admin.patch(`/api/v1/users/${daveId}`, { disabled: true })).status).toBe(200)
    expect(await keys()).not.toContain(d.publicKey)
    expect((await admin.get<Device>(`/api/v1/devices/${d.id}`)).body.inactiveReason).toBe('user_disabled')
    await admin.patch(`/api/v1/users/${daveId}`, { disabled: false })
    expect(await keys()).toContain(d.publicKey)
    void dave
    expect((await admin.delete(`/api/v1/users/${daveId}`)).status).toBe(204)
    expect(await keys()).not.toContain(d.publicKey)
    expect((await admin.get(`/api/v1/devices/${d.id}`)).status).toBe(404)
    expect((await admin.get(`/api/v1/rules/${rule.id}`)).status).toBe(404)
    const freed = await t.db
      .selectFrom('wireguardKeys')
      .select('publicKey')
      .where('publicKey', '=', d.publicKey)
      .execute()
    expect(freed).toEqual([])
  })

  test('users see the tunnel servers they can add devices to', async () => {
    const r = await alice.get<{ items: VpnServer[] }>('/api/v1/vpn/servers')
    expect(r.status).toBe(200)
    expect(r.body.items.map((s) => [s.id, s.clientDefaults.endpoint])).toEqual([[server, '203.0.113.10:51820']])
  })

  test('a device made for a user while the user is deleted: created then removed with them, or refused', async () => {
    for (let i = 0; i < 8; i++) {
      const [, id] = await user(`gone${i}@example.com`)
      const [created, deleted] = await Promise.all([
        admin.post<DeviceCreated>('/api/v1/devices', {
          name: 'racing',
          tunnelServerId: server,
          publicKey: key(),
          userId: id,
        }),
        admin.delete(`/api/v1/users/${id}`),
      ])
      expect(deleted.status).toBe(204)
      // Never a server error: the user's row lock orders the two.
      expect([201, 404]).toContain(created.status)
      const left = await t.db.selectFrom('devices').select('id').where('userId', '=', id).execute()
      expect(left).toEqual([])
    }
  })

  test('parallel creates never share an address, a name or pass the limit', async () => {
    const [erin] = await user('erin@example.com')
    const created = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        erin.post<DeviceCreated>('/api/v1/devices', { name: `par ${i}`, tunnelServerId: server, publicKey: key() }),
      ),
    )
    expect(created.map((r) => r.status)).toEqual(created.map(() => 201))
    const all = (await admin.get<Page<Device>>('/api/v1/devices?limit=500')).body.items
    expect(new Set(all.map((d) => d.ipv4)).size).toBe(all.length)

    const sameName = await Promise.all(
      Array.from({ length: 6 }, () =>
        erin.post<ErrorReply>('/api/v1/devices', { name: 'Twin', tunnelServerId: server, publicKey: key() }),
      ),
    )
    expect(sameName.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409])

    await settings({ maxDevicesPerUser: 3 })
    try {
      const [frank] = await user('frank@example.com')
      const racing = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          frank.post('/api/v1/devices', { name: `race ${i}`, tunnelServerId: server, publicKey: key() }),
        ),
      )
      expect(racing.filter((r) => r.status === 201)).toHaveLength(3)
      expect(racing.filter((r) => r.status === 409)).toHaveLength(5)
    } finally {
      await settings({ maxDevicesPerUser: 0 })
    }
  })
})
