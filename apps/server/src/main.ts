/** The `wirewarp` command: serve (default), migrate, admin create. */
import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from './config.ts'
import { openDatabase } from './db/database.ts'
import { migrate } from './db/migrate.ts'
import { AdminInputError, createAdmin } from './firstAdmin.ts'
import { createLogger } from './logger.ts'
import { startServer } from './server.ts'
import { VERSION } from './version.ts'

const HELP = `wirewarp ${VERSION} — WireWarp control server

Usage:
  wirewarp [serve]                                   run the server (dashboard + API)
  wirewarp migrate                                   apply database migrations and exit
  wirewarp admin create --email E [--password P] [--name N]
                                                     create an admin (asks for the password when interactive)
  wirewarp --help | --version

Configuration comes from the environment (PORT, HOST, DATABASE_URL, WIREWARP_DATA_DIR, …); see the README.`

async function promptPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
  // Hide typed characters: readline echoes through _writeToOutput, which we mute after the prompt.
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream }
  let muted = false
  const write = out._writeToOutput.bind(rl)
  out._writeToOutput = (s: string) => {
    if (!muted) write(s)
  }
  const answer = rl.question('Password (at least 12 characters): ')
  muted = true
  const password = await answer
  rl.close()
  process.stderr.write('\n')
  return password
}

async function adminCreate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
    strict: true,
  })
  if (!values.email) {
    process.stderr.write('admin create: --email is required\n')
    return 2
  }
  let password = values.password
  if (password === undefined) {
    if (!process.stdin.isTTY) {
      process.stderr.write('admin create: --password is required when not run in a terminal\n')
      return 2
    }
    password = await promptPassword()
  }
  const config = loadConfig()
  const { db, dialect } = openDatabase(config)
  try {
    await migrate(db, dialect)
    const user = await createAdmin(db, values.email, password, values.name ?? 'Admin')
    process.stdout.write(`Created admin ${user.email} (id ${user.id}).\n`)
    return 0
  } catch (err) {
    if (err instanceof AdminInputError) {
      process.stderr.write(`admin create: ${err.message}\n`)
      return 2
    }
    throw err
  } finally {
    await db.destroy()
  }
}

async function serve(): Promise<number> {
  const config = loadConfig()
  const log = createLogger(config.logLevel)
  const server = await startServer(config, log)
  log.info(`WireWarp ${VERSION} listening on ${server.url} (dashboard and API, docs at /api/docs)`)
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
      server.close().then(
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
  if (command === undefined || command === 'serve') return serve()
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
    else process.stderr.write(`wirewarp: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  },
)
