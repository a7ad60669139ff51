/** The one way the dashboard calls the REST API: JSON in and out, session cookie, typed errors. */
import type { ErrorBody } from '@wirewarp/protocol'
import { ApiError } from './ApiError.ts'

export const API_BASE = '/api/v1'

export type QueryParams = Record<string, string | number | boolean | null | undefined>

export interface ApiFetchOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  body?: unknown
  query?: QueryParams
  signal?: AbortSignal
}

export function apiUrl(path: string, query?: QueryParams): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    // Empty filters mean "no filter"; sending `action=` would ask for an empty action.
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const qs = params.toString()
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`
}

export async function apiFetch<T>(path: string, options: ApiFetchOptions = {}): Promise<T> {
  const { method = options.body === undefined ? 'GET' : 'POST', body, query, signal } = options
  const headers: Record<string, string> = { accept: 'application/json' }
  // The server refuses a JSON content type with an empty body, so only announce one when sending one.
  if (body !== undefined) headers['content-type'] = 'application/json'

  let response: Response
  try {
    response = await fetch(apiUrl(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.')
  }

  if (response.status === 204) return undefined as T
  const payload: unknown = await response.json().catch(() => null)
  if (response.ok) return payload as T
  throw toApiError(response, payload)
}

function toApiError(response: Response, payload: unknown): ApiError {
  const retryAfterHeader = response.headers.get('retry-after')
  const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null
  const error = (payload as Partial<ErrorBody> | null)?.error
  if (error && typeof error.message === 'string') {
    return new ApiError(response.status, error.code ?? 'unknown', error.message, error.fields ?? {}, retryAfter)
  }
  // A proxy in front of the server may answer with HTML; keep the status so people can search for it.
  const label = `${response.status} ${response.statusText}`.trim()
  return new ApiError(response.status, `http_${response.status}`, `The server answered ${label}.`, {}, retryAfter)
}
