/**
 * Connects N simulated agents (default 2,000) to one control server and prints the server's
 * memory, how long the connections took, and the push-to-ack latency of one state change that
 * fans out to every agent. The server runs as its own process (built: `npm run build`), so its
 * RSS is its own; the agents are WebSocket clients in this process speaking the real protocol.
 *
 *   npx tsx bench/agents.ts [--agents 2000] [--database-url postgres://…]
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { type HubMessage, PROTOCOL_VERSION } from '@wirewarp/protocol'
import WebSocket from 'ws'

const { values } = parseArgs({
  options: { agents: { type: 'string', default: '2000' }, 'database-url': { type: 'string' } },
})
const N = Number(values.agents)
const MAIN = path.resolve('apps/server/dist/main.js')
const ADMIN = { email: 'bench@example.com', password: 'bench password 123' }

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : Number.NaN
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    WIREWARP_DATA_DIR: dataDir,
    WIREWARP_ADMIN_EMAIL: ADMIN.email,
    WIREWARP_ADMIN_PASSWORD: ADMIN.password,
    // info: the "listening on" line is how the URL is learnt; the rest of stdout is dropped.
    LOG_LEVEL: 'info',
    ...(values['database-url'] ? { DATABASE_URL: values['database-url'] } : {}),
  }
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  return { child, url }
}

class Api {
  constructor(
    readonly url: string,
    readonly cookie: string,
  ) {}
  async call<T>(method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(this.url + p, {
      method,
      headers: { cookie: this.cookie, origin: this.url, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`)
    return (await res.json()) as T
  }
}

function facts() {
  const x = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }).x!
  return {
    version: 'bench',
    hostname: 'bench',
    os: 'linux',
    arch: 'x64',
    capabilities: {},
    publicKey: Buffer.from(x, 'base64url').toString('base64'),
  }
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/agent`)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function nextMessage(ws: WebSocket, type: HubMessage['type']): Promise<HubMessage> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as HubMessage
      if (m.type === type) {
        ws.off('message', on)
        resolve(m)
      }
    }
    ws.on('message', on)
  })
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let i = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (i < items.length) {
        const k = i++
        out[k] = await fn(items[k]!)
      }
    }),
  )
  return out
}

async function main() {
  if (!existsSync(MAIN)) throw new Error('Build first: npm run build')
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wirewarp-bench-'))
  const { child, url } = await startServer(dataDir)
  const sockets: WebSocket[] = []
  try {
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    })
    const api = new Api(url, login.headers.getSetCookie()[0]!.split(';')[0]!)
    const rssIdle = rssMiB(child.pid!)

    // One tunnel server with room for N clients.
    const serverToken = await api.call<{ token: string }>('POST', '/api/v1/registration-tokens', {
      kind: 'server',
      name: 'bench-vps',
    })
    const regServer = await open(url)
    regServer.send(
      JSON.stringify({ type: 'register', protocolVersion: PROTOCOL_VERSION, token: serverToken.token, facts: facts() }),
    )
    await nextMessage(regServer, 'registered')
    const { items: servers } = await api.call<{ items: { id: string }[] }>('GET', '/api/v1/tunnel-servers')
    const serverId = servers[0]!.id
    await api.call('PATCH', `/api/v1/tunnel-servers/${serverId}`, { tunnelNetworkV4: '10.96.0.0/12' })

    let t = performance.now()
    const identities = await pool(
      Array.from({ length: N }, (_, i) => i),
      16,
      async (i) => {
        const { token } = await api.call<{ token: string }>('POST', '/api/v1/registration-tokens', {
          kind: 'client',
          name: `bench-${i}`,
          tunnelServerId: serverId,
        })
        const f = facts()
        const ws = await open(url)
        ws.send(
          JSON.stringify({ type: 'register', protocolVersion: PROTOCOL_VERSION, token, kind: 'client', facts: f }),
        )
        const r = (await nextMessage(ws, 'registered')) as Extract<HubMessage, { type: 'registered' }>
        ws.close()
        return { agentId: r.agentId, credential: r.credential, facts: f }
      },
    )
    const registerSeconds = (performance.now() - t) / 1000

    // Connect all N: hello → welcome → first desired state → applied.
    t = performance.now()
    const revisions = new Map<WebSocket, number>()
    await pool(identities, 200, async (id) => {
      const ws = await open(url)
      sockets.push(ws)
      const state = nextMessage(ws, 'desired_state')
      ws.send(
        JSON.stringify({
          type: 'hello',
          protocolVersion: PROTOCOL_VERSION,
          agentId: id.agentId,
          credential: id.credential,
          appliedRevision: 0,
          facts: id.facts,
        }),
      )
      const s = (await state) as Extract<HubMessage, { type: 'desired_state' }>
      ws.send(JSON.stringify({ type: 'applied', revision: s.state.revision, ok: true, durationMs: 0 }))
      revisions.set(ws, s.state.revision)
    })
    const connectSeconds = (performance.now() - t) / 1000
    await new Promise((r) => setTimeout(r, 1000))
    const rssConnected = rssMiB(child.pid!)

    // One change that every agent's state depends on: the tunnel server's MTU.
    const latencies: number[] = []
    const acked = sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          void nextMessage(ws, 'desired_state').then((m) => {
            latencies.push(performance.now() - t)
            const s = m as Extract<HubMessage, { type: 'desired_state' }>
            ws.send(JSON.stringify({ type: 'applied', revision: s.state.revision, ok: true, durationMs: 0 }))
            resolve()
          })
        }),
    )
    t = performance.now()
    await api.call('PATCH', `/api/v1/tunnel-servers/${serverId}`, { mtu: 1380 })
    await Promise.all(acked)
    const fanoutSeconds = (performance.now() - t) / 1000
    latencies.sort((a, b) => a - b)

    console.log(`agents: ${N} (database: ${values['database-url'] ? 'PostgreSQL' : 'SQLite'})`)
    console.log(
      `server RSS: ${rssIdle.toFixed(0)} MiB idle → ${rssConnected.toFixed(0)} MiB with ${N} connected (${(((rssConnected - rssIdle) * 1024) / N).toFixed(1)} KiB per agent)`,
    )
    console.log(
      `register ${N} agents: ${registerSeconds.toFixed(1)} s (${(N / registerSeconds).toFixed(0)}/s, one-time tokens through the API)`,
    )
    console.log(
      `connect ${N} agents (hello → welcome → state → applied): ${connectSeconds.toFixed(2)} s (${(N / connectSeconds).toFixed(0)}/s)`,
    )
    console.log(
      `one change fanned out to all: push-to-receipt p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, all acked in ${fanoutSeconds.toFixed(2)} s`,
    )
  } finally {
    for (const ws of sockets) ws.terminate()
    child.kill('SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
