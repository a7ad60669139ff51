/**
 * Starts a real control server on a free loopback port for API and browser tests, on a fresh
 * SQLite file or a fresh PostgreSQL database (WIREWARP_TEST_DB=postgres), and talks to it over
 * real HTTP with fetch.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import pino from 'pino'
import type { Config } from '../src/config.ts'
import type { Db } from '../src/db/database.ts'
import { type RunningServer, startServer } from '../src/server.ts'
import { insertAgent } from '../src/store/agents.ts'
import { insertTunnelClient } from '../src/store/tunnelClients.ts'
import { insertTunnelServer } from '../src/store/tunnelServers.ts'

export type DbKind = 'sqlite' | 'postgres'
export const dbKind: DbKind = process.env.WIREWARP_TEST_DB === 'postgres' ? 'postgres' : 'sqlite'
const PG_ADMIN_URL = process.env.WIREWARP_TEST_PG_URL ?? 'postgres://wirewarp:wirewarp@127.0.0.1:5432/postgres'

let pgReachable: Promise<boolean> | undefined

/**
 * True when the tests of this project cannot run here: PostgreSQL is not reachable on a
 * developer machine. Under CI=true a missing PostgreSQL is a failure, never a skip.
 */
export async function skipDb(): Promise<boolean> {
  if (dbKind === 'sqlite') return false
  pgReachable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 })
    try {
      await c.connect()
      await c.end()
      return true
    } catch {
      return false
    }
  })()
  if (await pgReachable) return false
  if (process.env.CI) throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL}, and CI=true: cannot skip`)
  return true
}

export async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' }

export interface TestServer {
  url: string
  db: Db
  server: RunningServer
  config: Config
  /** Stops and starts the server on the same database: what survives is what was stored. */
  restart(): Promise<void>
  /** Stops the server, keeping its database and port, until `start`. */
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
}

/** A fresh, empty database of this project's kind: a temporary data dir, plus a new PostgreSQL database. */
export async function freshDatabase(): Promise<{
  dataDir: string
  databaseUrl: string | undefined
  drop(): Promise<void>
}> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wirewarp-test-'))
  let databaseUrl: string | undefined
  let dbName: string | undefined
  if (dbKind === 'postgres') {
    dbName = `wirewarp_test_${randomBytes(6).toString('hex')}`
    await pgAdmin((c) => c.query(`create database ${dbName}`))
    const u = new URL(PG_ADMIN_URL)
    u.pathname = `/${dbName}`
    databaseUrl = u.toString()
  }
  return {
    dataDir,
    databaseUrl,
    async drop() {
      rmSync(dataDir, { recursive: true, force: true })
      if (dbName) await pgAdmin((c) => c.query(`drop database if exists ${dbName} with (force)`))
    },
  }
}

/**
 * fetch keeps idle connections to the old server in its pool; the server closed them, but the
 * client learns so only when its event loop reads the close. Without this turn, the first request
 * after a restart can go out on such a socket and fail with "other side closed".
 */
function clientsSeeClose(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50))
}

export async function startTestServer(
  overrides: Partial<Config> = {},
  /** Where the server logs (a test that reads the log passes its own); silent by default. */
  logger?: pino.Logger,
): Promise<TestServer> {
  const fresh = await freshDatabase()
  const { dataDir, databaseUrl } = fresh
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    databaseUrl,
    dataDir,
    secret: undefined,
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    publicUrl: undefined,
    sessionIdleMs: 12 * 3600_000,
    sessionMaxMs: 7 * 86400_000,
    trustProxy: false,
    requestTimeoutMs: 30_000,
    logLevel: 'silent',
    metricsRetentionMs: 7 * 86400_000,
    agentDeadAfterMs: 90_000,
    ...overrides,
  }
  const log = logger ?? pino({ level: process.env.WIREWARP_TEST_LOG ?? 'silent' })
  let server = await startServer(config, log)
  const t: TestServer = {
    url: server.url,
    db: server.ctx.db,
    server,
    config,
    async restart() {
      // Same port: agents were told this URL.
      config.port = Number(new URL(server.url).port)
      await server.close()
      await clientsSeeClose()
      server = await startServer(config, log)
      t.url = server.url
      t.db = server.ctx.db
      t.server = server
    },
    async stop() {
      config.port = Number(new URL(server.url).port)
      await server.close()
      await clientsSeeClose()
    },
    async start() {
      server = await startServer(config, log)
      t.url = server.url
      t.db = server.ctx.db
      t.server = server
    },
    async close() {
      await server.close()
      await fresh.drop()
    },
  }
  return t
}

/**
 * Starts a second server on `t`'s database and data directory (so with the same secret), as a
 * second process sharing one PostgreSQL would be; the caller closes it before `t`.
 */
export function startServerOnSameDatabase(t: TestServer): Promise<RunningServer> {
  return startServer({ ...t.config, port: 0 }, pino({ level: process.env.WIREWARP_TEST_LOG ?? 'silent' }))
}

/** What agent registration (next issue) creates: a server agent, a client agent, both linked. */
export async function seedTunnel(db: Db, names = { server: 'vps-1', client: 'homelab-1' }) {
  const serverAgent = await insertAgent(db, { name: names.server, kind: 'server' })
  const server = await insertTunnelServer(db, {
    agentId: serverAgent.id,
    name: names.server,
    publicIp: '203.0.113.10',
    publicInterface: 'eth0',
  })
  const clientAgent = await insertAgent(db, { name: names.client, kind: 'client' })
  const client = await insertTunnelClient(db, {
    agentId: clientAgent.id,
    name: names.client,
    tunnelServerId: server.id,
    tunnelIp: '10.99.0.2',
  })
  return { serverAgent, server, clientAgent, client }
}

export interface Reply<T = unknown> {
  status: number
  body: T
  headers: Headers
}

/** A signed-in HTTP client: a session cookie (sending Origin like a browser) or a Bearer token. */
export class Client {
  constructor(
    readonly baseUrl: () => string,
    readonly auth: { cookie?: string; token?: string } = {},
  ) {}

  async request<T = unknown>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const base = this.baseUrl()
    const h: Record<string, string> = { ...headers }
    if (body !== undefined) h['content-type'] ??= 'application/json'
    if (this.auth.cookie) {
      h.cookie = this.auth.cookie
      if (method !== 'GET') h.origin ??= base
    }
    if (this.auth.token) h.authorization = `Bearer ${this.auth.token}`
    const res = await fetch(base + url, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    // An event stream never ends: its status and headers are the answer.
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
      await res.body?.cancel()
      return { status: res.status, body: null as T, headers: res.headers }
    }
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {}
    return { status: res.status, body: parsed as T, headers: res.headers }
  }

  get<T = unknown>(url: string) {
    return this.request<T>('GET', url)
  }
  post<T = unknown>(url: string, body?: unknown) {
    return this.request<T>('POST', url, body ?? {})
  }
  patch<T = unknown>(url: string, body: unknown) {
    return this.request<T>('PATCH', url, body)
  }
  delete<T = unknown>(url: string) {
    return this.request<T>('DELETE', url)
  }
}

export async function signIn(t: TestServer, email = ADMIN.email, password = ADMIN.password): Promise<Client> {
  const res = await fetch(`${t.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: t.url },
    body: JSON.stringify({ email, password }),
  })
  if (res.status !== 200) throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text()}`)
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('wirewarp_session='))
  if (!cookie) throw new Error('sign-in set no session cookie')
  return new Client(() => t.url, { cookie: cookie.split(';')[0]! })
}

export function anonymous(t: TestServer): Client {
  return new Client(() => t.url)
}

export function withToken(t: TestServer, token: string): Client {
  return new Client(() => t.url, { token })
}
