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

// ---- the catalogue: every error a route or the hub raises is made here, named by its code ----

export const notFound = (what: string, fields?: Record<string, string>) =>
  new AppError('not_found', 404, `${what} was not found.`, fields)
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
/** Another change made at the same moment won; the database refused this one. */
export const concurrentConflict = (what = 'This change') =>
  new AppError('conflict', 409, `${what} conflicts with another change made at the same moment. Try again.`)

// agent self-update
export const UPDATE_UNSUPPORTED_MESSAGE =
  'This agent version cannot update itself; re-run the install command on the host (it updates in place).'
export const updateUnsupported = (why = UPDATE_UNSUPPORTED_MESSAGE) =>
  new AppError('agent.update_unsupported', 409, why)
export const updateNotConnected = () =>
  new AppError('agent.not_connected', 409, 'The agent is not connected to this server; it can update once it is.')
export const updateNoRelease = (what: string) =>
  new AppError('agent.no_release', 409, `No release is offered for ${what}; add one to the releases directory.`)
export const updateUpToDate = (version: string) =>
  new AppError('agent.up_to_date', 409, `The agent already runs ${version}, the newest release for it.`)
export const updateInProgress = () =>
  new AppError('agent.update_in_progress', 409, 'An update of this agent is already under way.')

// request bodies
export const bodyTooDeep = (max: number) =>
  new AppError('body_too_deep', 400, `The request body nests objects and arrays more than ${max} levels deep.`)
export const badJson = (poisoned = false) =>
  new AppError(
    'bad_json',
    400,
    poisoned
      ? 'The request body uses a reserved key (__proto__, or constructor.prototype).'
      : 'The request body is not valid JSON.',
  )

// auth
export const csrfMissingOrigin = () =>
  new AppError('csrf', 403, 'This request needs an Origin header from the dashboard (cross-site request refused).')
export const csrfWrongOrigin = (origin: string) =>
  new AppError('csrf', 403, `Requests from ${origin} are not allowed (cross-site request refused).`)
export const invalidToken = (message = 'The API token is not valid or has been revoked.') =>
  new AppError('auth.invalid_token', 401, message)
export const apiTokenExpired = () => new AppError('auth.token_expired', 401, 'The API token has expired.')
export const tokenAccountDisabled = () =>
  new AppError('auth.account_disabled', 401, 'The account of this API token is disabled.')
export const sessionExpired = () =>
  new AppError('auth.session_expired', 401, 'Your session has expired. Sign in again.')
export const invalidCredentials = () =>
  new AppError('auth.invalid_credentials', 401, 'The email address or password is not correct.')
export const throttled = (seconds: number) =>
  new AppError('auth.throttled', 429, `Too many failed sign-in attempts. Try again in ${seconds} seconds.`, undefined, {
    'retry-after': String(seconds),
  })

export const wrongPasswordsThrottled = (seconds: number) =>
  new AppError('auth.throttled', 429, `Too many wrong passwords. Try again in ${seconds} seconds.`, undefined, {
    'retry-after': String(seconds),
  })

// users
export const emailTaken = (email: string) =>
  new AppError('user.email_taken', 409, `Another account already uses ${email}.`, { email: 'Already in use' })
export const lastAdmin = () =>
  new AppError('user.last_admin', 409, 'This is the last active admin. Make another user an admin first.')

// registration and releases
export const badHostHeader = () =>
  new AppError(
    'registration_token.bad_host',
    400,
    'The Host header is not a plain host name; set WIREWARP_PUBLIC_URL to the address agents should use.',
  )
export const releaseMissing = () =>
  new AppError('release.missing', 404, 'The agent bundle is not built on this server; run `npm run build` there.')
// Code `not_found` as for any unknown path: a name that is not a release file is just that.
export const releaseNotFound = (what: string) =>
  new AppError('not_found', 404, `${what} is not among the releases this server offers.`)
export const releaseChanged = (name: string) =>
  new AppError(
    'release.changed',
    503,
    `${name} changed on disk after the server checked it against its manifest; try again in a few seconds.`,
    undefined,
    { 'retry-after': '5' },
  )

// tunnel servers and clients
export const tunnelServerNotFound = () => notFound('Tunnel server', { tunnelServerId: 'No such tunnel server' })
export const tunnelClientNotFound = () => notFound('Tunnel client', { tunnelClientId: 'No such tunnel client' })
export const tunnelNetworkFull = (network: string, server: string) =>
  new AppError('tunnel_server.full', 409, `The tunnel network ${network} of ${server} has no free address.`)
export const tunnelIpTaken = (ip: string, server: string) =>
  new AppError('tunnel_client.ip_taken', 409, `${ip} is already used by another client of ${server}.`, {
    tunnelIp: 'Already used by another client of this server',
  })
export const networkInUse = (network: string, misfits: string[]) =>
  new AppError(
    'tunnel_server.network_in_use',
    409,
    `Clients ${misfits.join(', ')} have addresses that do not fit ${network}. Move them first.`,
    { tunnelNetworkV4: 'Does not hold the addresses of existing clients' },
  )
export const wgPortTaken = (port: number, forward: string) =>
  new AppError('tunnel_server.port_in_use', 409, `UDP port ${port} is taken by the forward ${forward}.`, {
    wgPort: 'Used by a port forward',
  })
export const clientHasForwards = (client: string, count: number, list: string) =>
  new AppError(
    'tunnel_client.has_forwards',
    409,
    `${client} has ${count} port forward(s) on its current server (${list}). Delete or move them before connecting it to another server.`,
    { tunnelServerId: 'The client still has port forwards on its current server' },
  )
export const lanIpOutside = (lanIp: string) =>
  new AppError('validation', 400, `LAN IP ${lanIp} is not inside any of the LAN networks.`, {
    lanIp: 'Must be inside one of the LAN networks',
  })

export const gatewayWithoutLan = () =>
  new AppError('validation', 400, 'A gateway routes a LAN: add the LAN network it routes.', {
    lanNetworks: 'A gateway needs at least one LAN network, such as 192.168.1.0/24',
  })

// port forwards and templates
export const clientNotOnServer = (client: string, server: string) =>
  invalidFields({ tunnelClientId: `${client} is not connected to the tunnel server ${server}` })
export const forwardOnWgPort = (port: number, server: string) =>
  new AppError(
    'forward.conflict',
    409,
    `UDP port ${port} is the WireGuard port of ${server}; choose another public port.`,
    { publicPort: 'Is the WireGuard port of this server' },
  )
export const forwardOverlaps = (other: string, server: string) =>
  new AppError('forward.conflict', 409, `The ports overlap the forward ${other} on ${server}.`, {
    publicPort: `Overlaps the forward ${other}`,
  })
export const templateNotFound = () => notFound('Service template', { templateId: 'No such template' })
export const templateNameTaken = (name: string) =>
  new AppError('service_template.name_taken', 409, `A template named "${name}" exists already.`, {
    name: 'Already in use',
  })
export const templateBuiltin = (name: string, verb: 'deleted' | 'changed' = 'deleted') =>
  new AppError('service_template.builtin', 409, `"${name}" is built in and cannot be ${verb}.`)

// devices, rules and VPN settings
export const deviceNotFound = () => notFound('Device')
export const userNotFound = () => notFound('User', { userId: 'No such user' })
export const devicesNotForUsers = () =>
  new AppError(
    'device.not_allowed',
    403,
    'Your administrator does not let users add, rotate or delete devices; ask an admin.',
  )
export const deviceConfigNotForUsers = (fields: string[]) =>
  new AppError(
    'device.config_not_allowed',
    403,
    `Your administrator does not let users change ${fields.join(', ')}; leave them at the defaults or ask an admin.`,
    Object.fromEntries(fields.map((f) => [f, 'Only admins may set this'])),
  )
export const otherUsersDevice = () =>
  new AppError('forbidden', 403, 'Only admins may add devices for another user.', {
    userId: 'Only admins may give another user',
  })
export const deviceLimit = (max: number) =>
  new AppError('device.limit', 409, `You have ${max} devices, the most allowed; delete one first.`)
export const deviceNameTaken = (name: string) =>
  new AppError('device.name_taken', 409, `This user already has a device named "${name}".`, {
    name: 'Already used by another device of this user',
  })
export const deviceKeyTaken = (holder: string) =>
  new AppError('device.key_taken', 409, `This public key is already used by ${holder}; make a new key pair.`, {
    publicKey: `Already used by ${holder}`,
  })
export const deviceNetworkFull = (network: string, server: string) =>
  new AppError(
    'device.network_full',
    409,
    `The device network ${network} of ${server} has no free address. An admin can give the tunnel server a larger device network.`,
  )
export const deviceNetworkProblem = (field: string, message: string) =>
  new AppError('tunnel_server.device_network', 409, message, { [field]: message })
export const ruleNotFound = () => notFound('Rule')

/**
 * The AppError for a constraint the database enforced, or null when `err` is something else. A
 * lock keeps these out of ordinary requests; they are what slips past one.
 */
export function fromConstraintViolation(err: unknown): AppError | null {
  const e = err as { code?: string; constraint?: string; message?: string }
  if (e?.code === '23P01' && e.constraint === 'port_forwards_no_overlap')
    return new AppError(
      'forward.conflict',
      409,
      'The ports overlap a forward created on this server at the same moment. Reload and choose other ports.',
      { publicPort: 'Overlaps another forward' },
    )
  if (
    e?.code === '23505' ||
    e?.code === '23P01' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
    return concurrentConflict()
  // Something the change refers to was deleted by another change at the same moment.
  if (e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
    return new AppError(
      'conflict',
      409,
      'Something this change refers to was deleted at the same moment. Reload and try again.',
    )
  return null
}

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
    // A unique or exclusion constraint refused a write that raced another: a conflict, not a crash.
    const constraint = fromConstraintViolation(error)
    if (constraint)
      return reply.status(409).send({
        error: {
          code: constraint.code,
          message: constraint.message,
          ...(constraint.fields ? { fields: constraint.fields } : {}),
        },
      })
    request.log.error({ err: error }, 'request failed')
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal error; see the server log.' } })
  })
}

/** The 404 body for a path no route serves. */
export function notFoundBody(method: string, url: string) {
  return { error: { code: 'not_found', message: `There is no route ${method} ${url.split('?')[0]}.` } }
}

// ---- refusals on /ws/agent: sent to the agent as {type: 'error', code, message}, then the socket closes ----

export class AgentRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The WebSocket close code; the agent tells "refused for good" from "try again" by it and by `code`. */
    readonly closeCode: number = 4001,
  ) {
    super(message)
  }
}

export const registrationTokenInvalid = () =>
  new AgentRefused(
    'register.token_invalid',
    'The registration token is not valid. Copy the install command again from the dashboard.',
  )
export const registrationTokenRevoked = () =>
  new AgentRefused('register.token_revoked', 'This registration token was revoked. Create a new one in the dashboard.')
export const registrationTokenUsed = (at?: string) =>
  new AgentRefused(
    'register.token_used',
    at
      ? `This registration token was already used on ${at}. Each token registers one agent; create a new one.`
      : 'This registration token was used by another agent at the same moment.',
  )
export const registrationTokenExpired = (at: string) =>
  new AgentRefused(
    'register.token_expired',
    `This registration token expired on ${at}. Create a new one in the dashboard.`,
  )
export const wrongKind = (token: string, installed: string) =>
  new AgentRefused(
    'register.wrong_kind',
    `This token registers a ${token} agent, but this agent was installed as a ${installed}. Use a ${installed} token, or the ${token} install command.`,
  )
export const registrationNetworkFull = (network: string, server: string) =>
  new AgentRefused('register.network_full', `The tunnel network ${network} of ${server} has no free address.`)
/**
 * One answer for an unknown agent id and a wrong credential, so that nobody can probe which ids
 * exist. The code is the one agents already deployed treat as final.
 */
export const helloRefused = () =>
  new AgentRefused(
    'hello.bad_credential',
    'This agent is unknown to the server or its credential is not valid (it may have been deleted). Register it again with a new token.',
  )
export const unsupportedProtocol = (supported: readonly number[], got: number) =>
  new AgentRefused(
    'protocol.unsupported',
    `This server speaks agent protocol version ${supported.join(', ')}; the agent speaks ${got}. Install the agent from this server again to match.`,
  )
export const serverStopping = () =>
  new AgentRefused('server.stopping', 'The server is shutting down; try again shortly.', 1001)
export const helloTimeout = () => new AgentRefused('hello.timeout', 'No register or hello message within 10 seconds.')
export const helloFirst = () => new AgentRefused('protocol.hello_first', 'The first message must be register or hello.')
export const alreadyConnected = (type: string) =>
  new AgentRefused('protocol.already_connected', `${type} is only valid as the first message.`)
export const binaryFrame = () => new AgentRefused('protocol.binary', 'Send JSON text frames only.', 4005)
export const invalidJsonFrame = () => new AgentRefused('protocol.invalid_json', 'Frames must be JSON.', 4005)
export const frameTooDeep = (max: number) =>
  new AgentRefused('protocol.too_deep', `Frames must not be nested deeper than ${max} levels.`, 4005)
export const invalidMessage = (problem: string) =>
  new AgentRefused('protocol.invalid_message', `Invalid message: ${problem}`.slice(0, 500), 4005)
export const agentThrottled = (seconds: number) =>
  new AgentRefused(
    'protocol.throttled',
    `Too many refused registrations or hellos from this address. Try again in ${seconds} seconds.`,
    4006,
  )
