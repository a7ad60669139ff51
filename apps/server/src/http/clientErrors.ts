/**
 * Answers the errors raised before any route runs, in the API's `{error: {code, message}}` shape:
 * Node's HTTP parser (malformed requests, headers too large, requests too slow to arrive) and
 * Fastify's router (undecodable URLs, path segments too long).
 */
import http from 'node:http'
import type { Socket } from 'node:net'
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { BASELINE_SECURITY_HEADERS } from './securityHeaders.ts'

const FLUSH_GRACE_MS = 1000

interface Refusal {
  status: number
  code: string
  message: string
}

function refusalOf(err: ConnectionError, requestTimeoutMs: number): Refusal {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      code: 'request_timeout',
      message: `The request did not arrive in time; send it whole within ${requestTimeoutMs / 1000} s.`,
    }
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      code: 'headers_too_large',
      message: `The request line and headers are larger than ${http.maxHeaderSize / 1024} KiB.`,
    }
  return { status: 400, code: 'bad_request', message: `The request is not valid HTTP (${err.code}).` }
}

/** Fastify's `clientErrorHandler`: writes the answer on the raw socket, then closes it. */
export function clientErrorHandler(requestTimeoutMs: number) {
  return (err: ConnectionError, socket: Socket): void => {
    // A reset connection has no one to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    // Node's own rule: once an answer has started on this socket, a second status line would
    // corrupt it, so the connection is only closed.
    const inFlight = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy()
      return
    }
    const r = refusalOf(err, requestTimeoutMs)
    const body = JSON.stringify({ error: { code: r.code, message: r.message } })
    const headers = {
      ...BASELINE_SECURITY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
      connection: 'close',
    }
    const head = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')
    // end, not write + destroy: the answer must leave before the socket goes. A client that
    // reads nothing (earlier answers still queued) gets a second, then is cut off anyway.
    socket.end(`HTTP/1.1 ${r.status} ${http.STATUS_CODES[r.status]}\r\n${head}\r\n${body}`)
    socket.once('finish', () => socket.destroy())
    setTimeout(() => socket.destroy(), FLUSH_GRACE_MS).unref()
  }
}

/** Fastify's `frameworkErrors`: errors from routing, before hooks (and so before helmet) run. */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const r: Refusal =
    error.code === 'FST_ERR_BAD_URL'
      ? { status: 400, code: 'bad_url', message: 'The URL is not valid: a percent-encoded part does not decode.' }
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? { status: 414, code: 'url_too_long', message: 'A part of the URL path is too long.' }
        : { status: 500, code: 'internal', message: 'Internal error; see the server log.' }
  if (r.status === 500) reply.log.error({ err: error }, 'routing failed')
  reply
    .headers(BASELINE_SECURITY_HEADERS)
    .status(r.status)
    .send({ error: { code: r.code, message: r.message } })
}
