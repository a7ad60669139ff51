/** Typed errors that users can read, and the one handler that turns any error into `{error: …}`. */
import type { FastifyError, FastifyInstance } from 'fastify'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'

export class AppError extends Error {
  // `code` is stable and clients switch on it; `message` is shown to users as written.
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers?: Record<string, string>,
  ) {
    super(message)
  }
}

export const notFound = (what: string) => new AppError('not_found', 404, `${what} was not found.`)
export const forbidden = (message = 'Your role does not allow this.') => new AppError('forbidden', 403, message)
export const unauthenticated = (message = 'Sign in first, or send a valid API token.') =>
  new AppError('unauthenticated', 401, message)
export const invalidFields = (fields: Record<string, string>) =>
  new AppError(
    'validation',
    400,
    `Some fields are not valid: ${Object.entries(fields)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}`,
    fields,
  )

function fieldsFromValidation(
  error: FastifyError & { validation: { instancePath: string; message?: string; params: Record<string, unknown> }[] },
) {
  const fields: Record<string, string> = {}
  for (const v of error.validation) {
    const keys = v.params.keys
    if (Array.isArray(keys) && keys.length > 0 && v.params.code === undefined) {
      // zod reports unknown keys once for the object that holds them.
      const base = v.instancePath.replace(/^\//, '').replaceAll('/', '.')
      for (const k of keys) fields[base ? `${base}.${k}` : String(k)] = 'Unknown field; remove it'
      continue
    }
    const key = v.instancePath.replace(/^\//, '').replaceAll('/', '.') || (error.validationContext ?? 'body')
    fields[key] ??= v.message ?? 'Not valid'
  }
  return fields
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers)
      return reply.status(error.status).send({
        error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) },
      })
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const e = invalidFields(fieldsFromValidation(error as never))
      return reply.status(400).send({ error: { code: e.code, message: e.message, fields: e.fields } })
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response did not match its schema')
      return reply.status(500).send({ error: { code: 'internal', message: 'Internal error; see the server log.' } })
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      const code =
        error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? 'bad_json'
          : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'unsupported_media_type'
            : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
              ? 'body_too_large'
              : 'bad_request'
      const message =
        code === 'bad_json'
          ? 'The request body is not valid JSON.'
          : code === 'unsupported_media_type'
            ? 'Send the body as application/json.'
            : error.message
      return reply.status(status).send({ error: { code, message } })
    }
    request.log.error({ err: error }, 'request failed')
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal error; see the server log.' } })
  })
}

/** The 404 body for a path no route serves. */
export function notFoundBody(method: string, url: string) {
  return { error: { code: 'not_found', message: `There is no route ${method} ${url.split('?')[0]}.` } }
}
