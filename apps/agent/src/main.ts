/** The `wirewarp-agent` command line: register, run, teardown, --help, --version. */
import { parseArgs } from 'node:util'
import { DEFAULT_CONFIG_PATH } from './agentConfig.ts'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exitCodes.ts'
import { createLogger } from './logger.ts'
import { registerAgent } from './registerAgent.ts'
import { runAgent } from './runAgent.ts'
import { teardownAgent } from './teardownAgent.ts'
import { VERSION } from './version.ts'

const USAGE = `wirewarp-agent ${VERSION} — WireWarp agent for a VPS (server mode) or a homelab (client mode)

Usage:
  wirewarp-agent register --url URL --token TOKEN [--mode server|client] [--name NAME]
                          [--config PATH] [--state-dir DIR] [--driver linux|recording]
                          [--interface NAME]
      Registers with the server using a one-time token and writes the config file
      (default ${DEFAULT_CONFIG_PATH}, mode 0600).
  wirewarp-agent run [--config PATH] [--verbose]
      Applies the saved state, connects to the server and keeps the host in its desired state.
  wirewarp-agent teardown [--config PATH]
      Removes what the linux driver set up on this host (nftables table wirewarp, its ip rules
      and routes, the WireGuard interface, DOCKER-USER accepts); sysctls stay. Stop the agent first.
  wirewarp-agent --help | --version

Exit codes: 0 ok or stopped, 1 failure (server unreachable on register, registration refused),
2 bad command line or config, 3 the server refused this agent (deleted, bad credential) or the
agent uninstalled itself on the dashboard's command, 75 an update was installed: wirewarp-launcher
starts the agent again.`

function usageError(message: string): number {
  process.stderr.write(`wirewarp-agent: ${message}\n\n${USAGE}\n`)
  return EXIT_USAGE
}

async function register(args: string[], verbose: boolean): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      mode: { type: 'string' },
      name: { type: 'string' },
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      'state-dir': { type: 'string' },
      driver: { type: 'string' },
      interface: { type: 'string' },
      verbose: { type: 'boolean' },
    },
    strict: true,
  })
  if (!values.url) return usageError('register: --url is required (the http:// or https:// URL of the server)')
  if (!values.token) return usageError('register: --token is required (create one in the dashboard)')
  if (values.mode !== undefined && values.mode !== 'server' && values.mode !== 'client')
    return usageError(`register: --mode must be server or client, not "${values.mode}"`)
  if (values.driver !== undefined && values.driver !== 'linux' && values.driver !== 'recording')
    return usageError(`register: --driver must be linux or recording, not "${values.driver}"`)
  return registerAgent({
    url: values.url,
    token: values.token,
    mode: values.mode,
    name: values.name,
    configPath: values.config,
    stateDir: values['state-dir'],
    driver: values.driver,
    interface: values.interface,
    log: createLogger({ debug: verbose || values.verbose }),
    print: (t) => process.stdout.write(t),
    printError: (t) => process.stderr.write(`${t}\n`),
  })
}

async function run(args: string[], verbose: boolean): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', default: DEFAULT_CONFIG_PATH }, verbose: { type: 'boolean' } },
    strict: true,
  })
  const stop = new AbortController()
  const onSignal = (name: string) => () => {
    log.info(`${name} received; stopping`)
    stop.abort()
  }
  const log = createLogger({ debug: verbose || values.verbose })
  process.once('SIGTERM', onSignal('SIGTERM'))
  process.once('SIGINT', onSignal('SIGINT'))
  return runAgent({ configPath: values.config, log, signal: stop.signal })
}

async function teardown(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', default: DEFAULT_CONFIG_PATH }, verbose: { type: 'boolean' } },
    strict: true,
  })
  return teardownAgent({
    configPath: values.config,
    print: (t) => process.stdout.write(t),
    printError: (t) => process.stderr.write(`${t}\n`),
  })
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const verbose = rest.includes('--verbose')
  try {
    switch (command) {
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(`${USAGE}\n`)
        return EXIT_OK
      case '--version':
      case '-v':
        process.stdout.write(`${VERSION}\n`)
        return EXIT_OK
      case 'register':
        if (rest.includes('--help')) break
        return await register(rest, verbose)
      case 'run':
        if (rest.includes('--help')) break
        return await run(rest, verbose)
      case 'teardown':
        if (rest.includes('--help')) break
        return await teardown(rest)
      case undefined:
        return usageError('a command is required')
      default:
        return usageError(`unknown command "${command}"`)
    }
    process.stdout.write(`${USAGE}\n`)
    return EXIT_OK
  } catch (err) {
    // parseArgs reports unknown or malformed options with these codes.
    const code = (err as NodeJS.ErrnoException).code
    if (code?.startsWith('ERR_PARSE_ARGS')) return usageError((err as Error).message)
    process.stderr.write(`wirewarp-agent: unexpected error: ${(err as Error).stack ?? err}\n`)
    return EXIT_FAILURE
  }
}

// No top-level await: the single-executable build (scripts/release) bundles this file as CommonJS.
// argv[0] and argv[1] are node and the script, or both the executable in a single-executable build.
void main(process.argv.slice(2)).then((code) => {
  // Wait for stdout/stderr to drain (they are pipes under systemd and in tests), then exit even if
  // a library left a handle open.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
})
