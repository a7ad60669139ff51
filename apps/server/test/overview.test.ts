/**
 * The overview over real HTTP and WebSockets: its counts follow agents connecting and going away,
 * tunnels coming up, and forwards going from waiting for the agent to working; each tunnel and
 * forward that is not up or working is listed with its reason.
 */
import type { Overview, PortForward, TunnelServer } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Client, seedTunnel, signIn, skipDb, startTestServer, type TestServer } from './harness.ts'
import { AgentPool, type EnrolledAgent } from './hubAgents.ts'

const skip = await skipDb()

describe.skipIf(skip)('overview', () => {
  let t: TestServer
  let admin: Client
  const pool = new AgentPool(
    () => t,
    () => admin,
  )
  const overview = async () => {
    const r = await admin.get<Overview>('/api/v1/overview')
    expect(r.status).toBe(200)
    return r.body
  }

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
  })
  afterAll(async () => {
    pool.closeAll()
    await t?.close()
  })

  test('with nothing set up, everything is zero and nothing needs attention', async () => {
    expect(await overview()).toEqual({
      agents: { total: 0, connected: 0, disconnected: 0, pending: 0, uninstalled: 0 },
      tunnels: { total: 0, up: 0, down: 0 },
      forwards: { total: 0, working: 0, notWorking: 0, disabled: 0 },
      attention: { agents: [], tunnels: [], forwards: [] },
    })
  })

  let server: EnrolledAgent
  let client: EnrolledAgent
  let tunnelServerId: string
  let tunnelClientId: string
  let forward: PortForward

  test('agents count as connected when they connect; a client is down while its server has no public IP', async () => {
    server = await pool.enrol('server', 'vps-overview')
    tunnelServerId = server.row.tunnelServerId!
    expect(await overview()).toMatchObject({
      agents: { total: 1, connected: 1, disconnected: 0, pending: 0 },
      tunnels: { total: 0, up: 0, down: 0 },
    })

    client = await pool.enrol('client', 'homelab-overview', tunnelServerId)
    tunnelClientId = client.row.tunnelClientId!
    const o = await overview()
    expect(o.agents).toEqual({ total: 2, connected: 2, disconnected: 0, pending: 0, uninstalled: 0 })
    expect(o.tunnels).toEqual({ total: 1, up: 0, down: 1 })
    expect(o.attention.agents).toEqual([])
    expect(o.attention.tunnels).toEqual([
      {
        id: tunnelClientId,
        name: 'homelab-overview',
        tunnelServerId,
        tunnelServerName: 'vps-overview',
        reason: 'no_public_ip',
        message: 'the server has no public IP',
      },
    ])
  })

  test('a forward waits for the agent, then is not working while the tunnel is down, then works', async () => {
    await server.socket.next('desired_state') // the client joined as a peer
    const created = await admin.post<PortForward>('/api/v1/port-forwards', {
      tunnelServerId,
      tunnelClientId,
      protocol: 'tcp',
      publicPort: 8443,
      destinationIp: '192.168.1.20',
      destinationPort: 443,
      description: 'web',
    })
    expect(created.status).toBe(201)
    forward = created.body
    const s = await server.socket.next('desired_state')

    let o = await overview()
    expect(o.forwards).toEqual({ total: 1, working: 0, notWorking: 1, disabled: 0 })
    expect(o.attention.forwards).toEqual([
      {
        id: forward.id,
        tunnelServerId,
        tunnelServerName: 'vps-overview',
        tunnelClientId,
        tunnelClientName: 'homelab-overview',
        protocol: 'tcp',
        publicPort: 8443,
        publicPortEnd: null,
        destinationIp: '192.168.1.20',
        destinationPort: 443,
        description: 'web',
        state: 'pending',
        message: 'waiting for the agent to apply this change',
      },
    ])

    server.socket.send({ type: 'applied', revision: s.state.revision, epoch: s.state.epoch, ok: true, durationMs: 1 })
    await expect
      .poll(async () => (await overview()).attention.forwards)
      .toMatchObject([{ id: forward.id, state: 'tunnel_down', message: 'tunnel down: the server has no public IP' }])

    // The public IP is set and the server reports a fresh handshake with the client: up and working.
    expect(
      (await admin.patch<TunnelServer>(`/api/v1/tunnel-servers/${tunnelServerId}`, { publicIp: '203.0.113.60' }))
        .status,
    ).toBe(200)
    o = await overview()
    expect(o.tunnels).toEqual({ total: 1, up: 0, down: 1 })
    expect(o.attention.tunnels).toMatchObject([{ id: tunnelClientId, reason: 'no_report' }])
    server.socket.send({
      type: 'metrics',
      at: new Date().toISOString(),
      sample: {
        cpu: 0,
        memoryUsedBytes: 1,
        memoryTotalBytes: 2,
        load: [0, 0, 0],
        uptimeSeconds: 1,
        interfaces: [],
        peers: [
          {
            publicKey: client.facts.publicKey,
            endpoint: null,
            latestHandshakeAt: new Date().toISOString(),
            rxBytes: 0,
            txBytes: 0,
          },
        ],
      },
    })
    await expect.poll(async () => (await overview()).tunnels).toEqual({ total: 1, up: 1, down: 0 })
    o = await overview()
    expect(o.forwards).toEqual({ total: 1, working: 1, notWorking: 0, disabled: 0 })
    expect(o.attention).toEqual({ agents: [], tunnels: [], forwards: [] })
  })

  test('a disabled forward counts as disabled, never as working or as needing attention', async () => {
    const off = await admin.post<PortForward>('/api/v1/port-forwards', {
      tunnelServerId,
      tunnelClientId,
      protocol: 'udp',
      publicPort: 9000,
      destinationIp: '192.168.1.21',
      destinationPort: 9000,
      enabled: false,
    })
    expect(off.status).toBe(201)
    const o = await overview()
    expect(o.forwards).toEqual({ total: 2, working: 1, notWorking: 0, disabled: 1 })
    expect(o.attention.forwards).toEqual([])
  })

  test('when the server agent goes away: it is disconnected, the tunnel down and the forward waits for it', async () => {
    server.socket.close()
    await server.socket.closed
    await expect
      .poll(async () => (await overview()).agents)
      .toEqual({
        total: 2,
        connected: 1,
        disconnected: 1,
        pending: 0,
        uninstalled: 0,
      })
    const o = await overview()
    expect(o.attention.agents).toMatchObject([
      { id: server.agentId, name: 'vps-overview', kind: 'server', status: 'disconnected', tunnelServerId },
    ])
    expect(o.tunnels).toEqual({ total: 1, up: 0, down: 1 })
    expect(o.attention.tunnels).toMatchObject([{ id: tunnelClientId, reason: 'server_agent_disconnected' }])
    expect(o.forwards).toEqual({ total: 2, working: 0, notWorking: 1, disabled: 1 })
    expect(o.attention.forwards).toMatchObject([
      { id: forward.id, state: 'offline', message: "waiting for the agent: the server's agent is disconnected" },
    ])
  })

  test('agents that never connected count as pending; a client without a key is down for that', async () => {
    await seedTunnel(t.db, { server: 'vps-seeded', client: 'homelab-seeded' })
    const o = await overview()
    expect(o.agents).toEqual({ total: 4, connected: 1, disconnected: 1, pending: 2, uninstalled: 0 })
    expect(o.tunnels).toEqual({ total: 2, up: 0, down: 2 })
    expect(o.attention.tunnels.find((c) => c.name === 'homelab-seeded')).toMatchObject({
      tunnelServerName: 'vps-seeded',
      reason: 'no_key',
    })
  })

  test('only admins see it', async () => {
    expect(
      (
        await admin.post('/api/v1/users', {
          email: 'u@example.com',
          name: 'U',
          password: 'user password 1',
          role: 'user',
        })
      ).status,
    ).toBe(201)
    const user = await signIn(t, 'u@example.com', 'user password 1')
    expect((await user.get('/api/v1/overview')).status).toBe(403)
  })
})
