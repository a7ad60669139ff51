/** The `wirewarp` command: serve (default), migrate, new-epoch, admin create. */
import { readFileSync, statSync } from 'node:fs'
import { createInterface } from 'node:readline/promises'
import { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { PASSWORD_RULE } from '@wirewarp/protocol'
import { ConfigError, loadConfig } from './config.ts'
import { openDatabase } from './db/database.ts'
import { migrate } from './db/migrate.ts'
import { AdminInputError, createAdmin } from './firstAdmin.ts'
import { startLocalAgent } from './localAgent.ts'
import { createLogger } from './logger.ts'
import { defaultAgentBundle, startServer } from './server.ts'
import { getEpoch, startNewEpoch } from './store/epoch.ts'
import { VERSION } from './version.ts'

const HELP = `wirewarp ${VERSION} — WireWarp control server

Usage:
  wirewarp [serve] [--local-agent]                   run the server (dashboard + API); with
                                                     --local-agent (or WIREWARP_LOCAL_AGENT=true)
                                                     also a tunnel server agent on this host,
                                                     registered by itself: a VPN on one VPS
  wirewarp migrate                                   apply database migrations and exit
  wirewarp new-epoch                                 after restoring a database backup: agents that
                                                     applied newer revisions take its states again
  wirewarp admin create --email E [--name N] [--password-file PATH]
                                                     create an admin; the password is asked for in a
                                                     terminal, else read from standard input, or from
                                                     the first line of PATH:
                                                       printf '%s\\n' "$PW" | wirewarp admin create --email E
  wirewarp --help | --version

Passwords: ${PASSWORD_RULE}
Configuration comes from the environment (PORT, HOST, DATABASE_URL, WIREWARP_DATA_DIR, …); see the README.`

/** A mistake in how the command was called: printed as it is, exit code 2. */
class UsageError extends Error {}

const PASSWORD_IN_ARGV = `--password is not accepted: a password on the command line can be read by every user of this host (ps, /proc) and stays in your shell history.
Instead, type it when asked (in a terminal), pipe it on standard input:
  printf '%s\\n' "$PW" | wirewarp admin create --email you@example.com
or pass --password-file PATH (a file only you can read; its first line is the password).
(In a clone of the repository, wirewarp is: npm run wirewarp --)`

const NO_PASSWORD = `no password on standard input. Type it when asked (run the command in a terminal), pipe it in:
  printf '%s\\n' "$PW" | wirewarp admin create --email you@example.com
or pass --password-file PATH. (In a clone of the repository, wirewarp is: npm run wirewarp --)`

/** Asks each question in turn on the terminal, without echoing the answers. */
async function askHidden(questions: readonly string[]): Promise<string[]> {
  // Readline echoes what is typed to its output: give it one that drops everything, so the password
  // never shows (readline's private _writeToOutput, used before, is gone from current Node 20).
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() })
  // Created before the first question is shown: it puts the terminal in raw mode, and anything
  // typed while the terminal is still in its normal mode would be echoed by the terminal itself.
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true })
  // In raw mode Ctrl-C reaches readline rather than the process.
  rl.on('SIGINT', () => {
    rl.close()
    process.stderr.write('\n')
    process.exit(130)
  })
  try {
    const answers: string[] = []
    for (const q of questions) {
      process.stderr.write(q)
      answers.push(await rl.question(''))
      process.stderr.write('\n')
    }
    return answers
  } finally {
    rl.close()
  }
}

/** The first line, without its line ending: what `printf '%s\n'` and editors write. */
const firstLine = (text: string) => text.split(/\r?\n/, 1)[0] ?? ''

async function readStdinFirstLine(): Promise<string> {
  process.stdin.setEncoding('utf8')
  let text = ''
  for await (const chunk of process.stdin) {
    text += chunk
    // Stop at the first line: `yes | wirewarp …` must not read forever.
    if (text.includes('\n') || text.length > 4096) break
  }
  return firstLine(text)
}

function readPasswordFile(file: string): string {
  let text: string
  let mode: number
  try {
    mode = statSync(file).mode
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new UsageError(`--password-file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`)
  }
  // A warning, not a refusal: Docker and Kubernetes mount secrets world-readable (0444/0644)
  // inside a container where no other user exists.
  if ((mode & 0o044) !== 0)
    process.stderr.write(
      `admin create: warning: ${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${file}\n`,
    )
  const password = firstLine(text)
  if (password === '') throw new UsageError(`--password-file: the first line of ${file} is empty`)
  return password
}

async function readPassword(file: string | undefined): Promise<string> {
  if (file !== undefined) return readPasswordFile(file)
  if (!process.stdin.isTTY) {
    const piped = await readStdinFirstLine()
    if (piped === '') throw new UsageError(NO_PASSWORD)
    return piped
  }
  process.stderr.write(`${PASSWORD_RULE}\n`)
  // Typed blind: a typo here would make an admin nobody can sign in as.
  const [password = '', repeat] = await askHidden(['Password: ', 'Repeat the password: '])
  if (repeat !== password) throw new UsageError('the two passwords differ')
  return password
}

async function adminCreate(args: string[]): Promise<number> {
  try {
    let values: { email?: string; password?: string; 'password-file'?: string; name?: string }
    try {
      values = parseArgs({
        args,
        // `password` is parsed only to refuse it with the reason.
        options: {
          email: { type: 'string' },
          password: { type: 'string' },
          'password-file': { type: 'string' },
          name: { type: 'string' },
        },
        strict: true,
      }).values
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err))
    }
    if (values.password !== undefined) throw new UsageError(PASSWORD_IN_ARGV)
    if (!values.email) throw new UsageError('--email is required')
    // Before asking for the password: a bad environment should not waste it.
    const config = loadConfig()
    const password = await readPassword(values['password-file'])
    const { db, dialect } = openDatabase(config)
    try {
      await migrate(db, dialect)
      const user = await createAdmin(db, values.email, password, values.name ?? 'Admin')
      process.stdout.write(`Created admin ${user.email} (id ${user.id}).\n`)
      return 0
    } finally {
      await db.destroy()
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof AdminInputError) {
      // The password's field is named plainly: it came from a prompt, a pipe or a file, not an option.
      const message = err instanceof AdminInputError && err.field === 'email' ? `--${err.message}` : err.message
      process.stderr.write(`admin create: ${message}\n`)
      return 2
    }
    throw err
  }
}

async function serve(args: string[]): Promise<number> {
  for (const a of args) if (a !== '--local-agent') throw new UsageError(`serve: unknown option ${a}`)
  const config = loadConfig()
  if (args.includes('--local-agent') && config.localAgent) config.localAgent.enabled = true
  const log = createLogger(config.logLevel)
  const server = await startServer(config, log)
  log.info(`WireWarp ${VERSION} listening on ${server.url} (dashboard and API, docs at /api/docs)`)
  const localAgent = config.localAgent?.enabled
    ? await startLocalAgent({
        config,
        db: server.ctx.db,
        hub: server.ctx.hub,
        log,
        serverUrl: server.url,
        agentBundle: defaultAgentBundle(),
      })
    : null
  let stopping = false
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return
      stopping = true
      log.info({ signal }, 'shutting down')
      const force = setTimeout(() => {
        log.error('shutdown took over 10 s; exiting')
        process.exit(1)
      }, 10_000)
      force.unref()
      ;(localAgent?.stop() ?? Promise.resolve())
        .then(() => server.close())
        .then(
          () => process.exit(0),
          (err) => {
            log.error({ err }, 'shutdown failed')
            process.exit(1)
          },
        )
    })
  }
  return -1 // keep running
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`)
    return 0
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`)
    return 0
  }
  if (command === undefined) return serve([])
  if (command === 'serve') return serve(rest)
  if (command === 'migrate') {
    const config = loadConfig()
    const { db, dialect, location } = openDatabase(config)
    try {
      const applied = await migrate(db, dialect)
      process.stdout.write(
        applied.length ? `Applied ${applied.join(', ')} to ${location}.\n` : `${location} is up to date.\n`,
      )
    } finally {
      await db.destroy()
    }
    return 0
  }
  if (command === 'new-epoch') {
    const config = loadConfig()
    const { db, dialect } = openDatabase(config)
    try {
      await migrate(db, dialect)
      const before = await getEpoch(db)
      const after = await startNewEpoch(db, before)
      process.stdout.write(
        `Started epoch ${after} (was ${before}). Agents take the database's desired states again when they next connect.\n`,
      )
    } finally {
      await db.destroy()
    }
    return 0
  }
  if (command === 'admin' && rest[0] === 'create') return adminCreate(rest.slice(1))
  process.stderr.write(`Unknown command: ${argv.join(' ')}\n\n${HELP}\n`)
  return 2
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err) => {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`)
    else if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${HELP}\n`)
      process.exit(2)
    } else process.stderr.write(`wirewarp: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  },
)
