/** A stand-in for the server's /ws/agent hub in tests: records what agents send, answers as told. */
import type { AddressInfo } from 'node:net'
import { AgentMessage, type HubMessage } from '@wirewarp/protocol'
import { type WebSocket, WebSocketServer } from 'ws'

export interface HubConnection {
  socket: WebSocket
  received: AgentMessage[]
  send(message: HubMessage): void
  closed: Promise<{ code: number; reason: string }>
}

export interface FakeHub {
  url: string
  connections: HubConnection[]
  /** Everything received on every connection, in order. */
  received: AgentMessage[]
  /** Resolves with the first message (from now or already received) that matches. */
  waitFor<T extends AgentMessage['type']>(
    type: T,
    match?: (m: Extract<AgentMessage, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<AgentMessage, { type: T }>>
  close(): Promise<void>
}

export interface FakeHubOptions {
  /** Called for each message; the default welcomes a hello and registers a register. */
  onMessage?: (conn: HubConnection, message: AgentMessage) => void
  /** false: never answer transport pings, as a hung server would. */
  autoPong?: boolean
  heartbeatSeconds?: number
}

export async function startFakeHub(opts: FakeHubOptions = {}): Promise<FakeHub> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/ws/agent', autoPong: opts.autoPong ?? true })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const received: AgentMessage[] = []
  const connections: HubConnection[] = []
  const waiters = new Set<() => void>()
  const onMessage =
    opts.onMessage ??
    ((conn: HubConnection, m: AgentMessage) => {
      if (m.type === 'hello')
        conn.send({
          type: 'welcome',
          agentId: m.agentId,
          serverVersion: 'test',
          heartbeatSeconds: opts.heartbeatSeconds ?? 30,
        })
      if (m.type === 'register')
        conn.send({
          type: 'registered',
          agentId: 'agent-1',
          credential: 'wwa_testcredential123',
          kind: m.kind ?? 'server',
        })
    })

  wss.on('connection', (socket) => {
    const conn: HubConnection = {
      socket,
      received: [],
      send: (m) => socket.send(JSON.stringify(m)),
      closed: new Promise((resolve) =>
        socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      ),
    }
    connections.push(conn)
    socket.on('message', (data) => {
      const m = AgentMessage.parse(JSON.parse(data.toString()))
      conn.received.push(m)
      received.push(m)
      for (const w of waiters) w()
      onMessage(conn, m)
    })
  })

  return {
    url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    connections,
    received,
    waitFor(type, match = () => true, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        // biome-ignore lint/suspicious/noExplicitAny: the predicate is typed by the caller's `type`
        const find = () => received.find((m) => m.type === type && match(m as any)) as any
        const check = () => {
          const m = find()
          if (m) {
            waiters.delete(check)
            clearTimeout(timer)
            resolve(m)
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(
            new Error(`no ${type} message within ${timeoutMs} ms; received: ${received.map((m) => m.type).join(', ')}`),
          )
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close(() => resolve())
      }),
  }
}
