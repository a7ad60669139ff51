/** The error every API call throws: the server's `{error: {code, message, fields}}` plus the HTTP status. */
export class ApiError extends Error {
  constructor(
    // 0 when the server could not be reached at all.
    readonly status: number,
    // Stable code to switch on (e.g. "forward.conflict"); `message` is written for people.
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    // Seconds from a Retry-After header, when a throttled request says when to try again.
    readonly retryAfter: number | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status)
}

/**
 * Whether asking again may work: the network, a throttle, or the server failing (5xx). A 4xx or an
 * answer that does not fit the protocol comes back the same, so offering "Try again" would only mislead.
 */
export function canRetry(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false
  return error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500
}

/** The code of an ApiError for a response that does not match the protocol's schema. */
export const UNEXPECTED_ANSWER = 'unexpected_answer'
