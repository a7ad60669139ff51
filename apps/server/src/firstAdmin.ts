/** Creates the first admin on a first start with no users, and admins from the command line. */
import { randomBytes } from 'node:crypto'
import { Email } from '@wirewarp/protocol'
import type { FastifyBaseLogger } from 'fastify'
import { passwordProblem } from './auth/passwordPolicy.ts'
import { hashPassword } from './auth/passwords.ts'
import { ConfigError } from './config.ts'
import type { Db } from './db/database.ts'
import { runChange } from './domain/change.ts'
import { SYSTEM_ACTOR, writeAudit } from './store/auditLog.ts'
import { countUsers, findUserByEmail, insertUser } from './store/users.ts'

export const DEFAULT_ADMIN_EMAIL = 'admin@wirewarp.local'

/** Bad input for a new admin; callers name the field the way the person gave it (an option, a variable). */
export class AdminInputError extends Error {
  constructor(
    readonly field: 'email' | 'password',
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`)
  }
}

export async function createAdmin(db: Db, email: string, password: string, name = 'Admin') {
  const e = Email.safeParse(email)
  if (!e.success) throw new AdminInputError('email', e.error.issues[0]?.message ?? 'Must be an email address')
  const problem = passwordProblem(password, { email: e.data })
  if (problem) throw new AdminInputError('password', problem)
  const passwordHash = await hashPassword(password)
  const { value } = await runChange({ db }, SYSTEM_ACTOR, async ({ db: trx }) => {
    if (await findUserByEmail(trx, e.data))
      throw new AdminInputError('email', `an account with ${e.data} exists already`)
    const user = await insertUser(trx, { email: e.data, name, passwordHash, role: 'admin' })
    await writeAudit(
      trx,
      SYSTEM_ACTOR,
      'user.create',
      { type: 'user', id: user.id },
      { email: user.email, role: 'admin', via: 'bootstrap' },
    )
    return user
  })
  return value
}

/** 144 random bits: they never spell a common word, but the policy is the judge, not this comment. */
function generatedPassword(email: string): string {
  for (;;) {
    const password = randomBytes(18).toString('base64url')
    if (passwordProblem(password, { email }) === null) return password
  }
}

/**
 * On a first start (no users), creates the admin from WIREWARP_ADMIN_EMAIL/PASSWORD or with a
 * generated password printed once. Does nothing once any user exists.
 */
export async function ensureFirstAdmin(
  db: Db,
  log: FastifyBaseLogger,
  env: { email?: string | undefined; password?: string | undefined },
) {
  if ((await countUsers(db)) > 0) return
  const email = env.email ?? DEFAULT_ADMIN_EMAIL
  const generated = env.password === undefined
  const password = env.password ?? generatedPassword(email)
  try {
    await createAdmin(db, email, password)
  } catch (err) {
    // Refuse to start rather than create an admin anyone could guess.
    if (err instanceof AdminInputError) {
      const variable = err.field === 'email' ? 'WIREWARP_ADMIN_EMAIL' : 'WIREWARP_ADMIN_PASSWORD'
      const fix = err.field === 'password' ? ' Choose another, or unset it to have one generated and printed once.' : ''
      throw new ConfigError([`${variable} is not accepted: ${err.reason}.${fix}`])
    }
    throw err
  }
  if (generated) {
    // Shown once on purpose: it is the only way in on a fresh install, and it is never stored in clear.
    process.stderr.write(
      [
        '',
        '  ┌────────────────────────────────────────────────────────────┐',
        '  │ WireWarp first start: an admin account was created.        │',
        `  │   email:    ${email.padEnd(47)}│`,
        `  │   password: ${password.padEnd(47)}│`,
        '  │ Shown only now. Sign in, then Profile → Change password.   │',
        '  └────────────────────────────────────────────────────────────┘',
        '',
      ].join('\n'),
    )
    log.warn({ email }, 'first admin created with a generated password (printed above, once)')
  } else {
    log.info({ email }, 'first admin created from WIREWARP_ADMIN_EMAIL / WIREWARP_ADMIN_PASSWORD')
  }
}
