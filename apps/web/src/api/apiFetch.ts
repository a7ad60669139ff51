/**
 * The one way the dashboard calls the REST API: JSON in and out, session cookie, typed errors, and
 * every answer parsed with the protocol's schema, so data that does not fit never reaches a page.
 */
import { ErrorBody } from '@wirewarp/protocol'
import type { z } from 'zod'
import { ApiError, UNEXPECTED_ANSWER } from './ApiError.ts'

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

/**
 * With a `schema`, resolves to the answer parsed by it; without one, the call expects no content
 * (204) and resolves to undefined. Throws ApiError for an error answer, no answer, or one that does
 * not match the schema.
 */
export function apiFetch<S extends z.ZodType>(
  path: string,
  options: ApiFetchOptions & { schema: S },
): Promise<z.output<S>>
export function apiFetch(path: string, options?: ApiFetchOptions & { schema?: undefined }): Promise<void>
export async function apiFetch(path: string, options: ApiFetchOptions & { schema?: z.ZodType } = {}): Promise<unknown> {
  const { method = options.body === undefined ? 'GET' : 'POST', body, query, signal, schema } = options
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

  if (response.ok && (response.status === 204 || !schema)) {
    // Nothing to read; a body nobody asked for is not worth failing a successful change over.
    await response.body?.cancel().catch(() => {})
    if (response.status === 204 && schema) throw unexpectedAnswer(response, 'no content')
    return undefined
  }
  const text = await response.text().catch(() => '')
  let payload: unknown = null
  let isJson = false
  try {
    payload = JSON.parse(text)
    isJson = true
  } catch {
    // Not JSON: a proxy's HTML page, or a cut-off answer.
  }
  if (!response.ok) throw toApiError(response, payload)
  if (!isJson) throw unexpectedAnswer(response, 'not JSON')

  const parsed = (schema as z.ZodType).safeParse(payload)
  if (parsed.success) return parsed.data
  throw unexpectedAnswer(response, describeIssues(parsed.error))
}

/** A text answer (a `.conf` file): the same session, errors and messages as apiFetch. */
export async function apiFetchText(path: string, options: { query?: QueryParams; signal?: AbortSignal } = {}) {
  let response: Response
  try {
    response = await fetch(apiUrl(path, options.query), {
      headers: { accept: 'text/plain, application/json' },
      credentials: 'same-origin',
      signal: options.signal ?? null,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.')
  }
  const text = await response.text().catch(() => '')
  if (response.ok) return text
  let payload: unknown = null
  try {
    payload = JSON.parse(text)
  } catch {
    // A proxy's page: toApiError keeps the status.
  }
  throw toApiError(response, payload)
}

function unexpectedAnswer(response: Response, detail: string): ApiError {
  return new ApiError(
    response.status,
    UNEXPECTED_ANSWER,
    `The server sent an unexpected answer (${detail}). If reloading the page does not help, the dashboard and the server may be different versions.`,
  )
}

/** The first problem, where it is (`items.0.status`), and how many more: enough to report, short enough to read. */
function describeIssues(error: z.ZodError): string {
  const [first, ...rest] = error.issues
  if (!first) return 'does not match'
  const where = first.path.length > 0 ? `${first.path.map(String).join('.')}: ` : ''
  const more = rest.length > 0 ? `, and ${rest.length} more` : ''
  return `${where}${first.message}${more}`
}

function toApiError(response: Response, payload: unknown): ApiError {
  const retryAfterHeader = response.headers.get('retry-after')
  const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null
  const body = ErrorBody.safeParse(payload)
  if (body.success) {
    const { code, message, fields = {} } = body.data.error
    return new ApiError(response.status, code, message, fields, retryAfter)
  }
  // A proxy in front of the server may answer with HTML; keep the status so people can search for it.
  const label = `${response.status} ${response.statusText}`.trim()
  return new ApiError(response.status, `http_${response.status}`, `The server answered ${label}.`, {}, retryAfter)
}
