/**
 * The HTTP server's time limits, as Fastify options: how long a client may take to send a request,
 * and how long a connection may sit idle. Long-lived answers (event streams, agent WebSockets,
 * downloads to slow readers) are not cut by them: see the comments on each limit.
 */
import type { ServerOptions } from 'node:http'

// Headers are a few hundred bytes; a client still sending them after 10 s is dripping them on purpose.
const HEADERS_TIMEOUT_MS = 10_000
// Longer than the longest wait a route makes without writing (a command with `wait`, up to 300 s),
// so this only reaps sockets where nothing at all moves. An event stream writes every 20 s and a
// download moves as its reader reads; a WebSocket is past HTTP (ws turns this timer off).
const IDLE_SOCKET_MS = 360_000
// Longer than the 60 s that nginx and load balancers keep idle upstream connections, so the
// proxy, not us, closes them: closing first races a request the proxy is sending on it (a 502).
const KEEP_ALIVE_MS = 72_000

/** The Fastify options of the same names; `http` goes to Node's `http.createServer`. */
export interface TimeoutOptions {
  requestTimeout: number
  connectionTimeout: number
  keepAliveTimeout: number
  http: ServerOptions
}

/**
 * `requestTimeoutMs` bounds the time from a request's first byte to its last (headers and body).
 * It ends once the request has arrived, so it never limits how long an answer may stream.
 */
export function httpTimeouts(requestTimeoutMs: number): TimeoutOptions {
  const headersTimeout = Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs)
  return {
    requestTimeout: requestTimeoutMs,
    connectionTimeout: IDLE_SOCKET_MS,
    keepAliveTimeout: KEEP_ALIVE_MS,
    // Only settable when the server is created. Node checks expired requests every
    // `connectionsCheckingInterval` (30 s by default, which would double a 30 s limit).
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout,
      connectionsCheckingInterval: Math.min(1000, Math.max(100, headersTimeout / 2)),
    },
  }
}
