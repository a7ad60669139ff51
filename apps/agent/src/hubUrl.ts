/** Turns the server URL people type (http/https) into the hub's WebSocket URL. Pure. */

export const HUB_PATH = '/ws/agent'

/** The ws(s):// URL of the hub, or null when `serverUrl` is not an http(s) URL. */
export function hubUrl(serverUrl: string): string | null {
  if (!URL.canParse(serverUrl)) return null
  const u = new URL(serverUrl)
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null
  if (!u.hostname) return null
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:'
  // A server behind a reverse proxy may live under a path prefix; keep it.
  u.pathname = `${u.pathname.replace(/\/+$/, '')}${HUB_PATH}`
  u.search = ''
  u.hash = ''
  return u.toString()
}

/** The URL as stored and shown: no trailing slash, query or fragment. */
export function normalizeServerUrl(serverUrl: string): string {
  const u = new URL(serverUrl)
  u.search = ''
  u.hash = ''
  return u.toString().replace(/\/+$/, '')
}
