/** The error every API call throws: the server's `{error: {code, message, fields}}` plus the HTTP status. */
export class ApiError extends Error {
  constructor(
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
