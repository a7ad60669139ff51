/**
 * `wirewarp-agent register`: trades a one-time registration token for an agent id and credential
 * over the hub's WebSocket, and writes them into the config file. Resolves with the exit code.
 */
import { type AgentMessage, PROTOCOL_VERSION } from '@wirewarp/protocol'
import WebSocket from 'ws'
import {
  type AgentConfig,
  DEFAULT_CONFIG_PATH,
  DEFAULT_STATE_DIR,
  loadAgentConfig,
  saveAgentConfig,
} from './agentConfig.ts'
import { collectAgentFacts } from './agentFacts.ts'
import { createDriver } from './drivers/createDriver.ts'
import { type Driver, DriverUnavailable } from './drivers/driver.ts'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exitCodes.ts'
import { parseHubFrame } from './hubFrame.ts'
import { hubUrl, normalizeServerUrl } from './hubUrl.ts'
import type { Logger } from './logger.ts'
import { loadOrCreatePrivateKey } from './privateKeyFile.ts'
import { describeSocketError } from './socketErrors.ts'

export interface RegisterOptions {
  url: string
  token: string
  mode?: 'server' | 'client' | undefined
  name?: string | undefined
  configPath: string
  stateDir?: string | undefined
  driver?: 'linux' | 'recording' | undefined
  interface?: string | undefined
  log: Logger
  /** Where the summary for people goes (stdout); errors go to `log`/stderr. */
  print: (text: string) => void
  printError: (text: string) => void
  timeoutMs?: number
}

type Answer =
  | { ok: true; agentId: string; credential: string; kind: 'server' | 'client' }
  | { ok: false; message: string; unreachable: boolean }

export async function registerAgent(opts: RegisterOptions): Promise<number> {
  const { log } = opts
  const url = hubUrl(opts.url)
  if (!url) {
    opts.printError(`register: --url must be the http:// or https:// URL of the WireWarp server, not "${opts.url}"`)
    return EXIT_USAGE
  }
  const serverUrl = normalizeServerUrl(opts.url)
  log.redact(opts.token)

  // Re-registering keeps the local settings of an existing config unless flags override them.
  const previous = await loadAgentConfig(opts.configPath).then(
    (l) => l.config,
    () => null,
  )
  const local = {
    stateDir: opts.stateDir ?? previous?.stateDir ?? DEFAULT_STATE_DIR,
    driver: opts.driver ?? previous?.driver ?? 'linux',
    interface: opts.interface ?? previous?.interface ?? 'wg0',
    metricsSeconds: previous?.metricsSeconds ?? 30,
  }

  let publicKey: string
  try {
    publicKey = (await loadOrCreatePrivateKey(local.stateDir)).publicKey
  } catch (err) {
    opts.printError(
      `register: cannot keep the WireGuard key in ${local.stateDir}: ${(err as Error).message} (run as root, or pass --state-dir)`,
    )
    return EXIT_FAILURE
  }
  let driver: Driver | null = null
  // Registration still works where the driver cannot run (not Linux); `run` refuses to start there.
  let driverNote = ''
  try {
    driver = createDriver(local)
  } catch (err) {
    if (!(err instanceof DriverUnavailable)) throw err
    driverNote = `Note: ${err.message} in ${opts.configPath} before starting it.`
  }
  const facts = await collectAgentFacts(driver, publicKey)
  if (!driver) facts.capabilities = { driver: local.driver, available: false }

  const answer = await exchange(url, opts.timeoutMs ?? 10_000, {
    type: 'register',
    protocolVersion: PROTOCOL_VERSION,
    token: opts.token,
    ...(opts.mode && { kind: opts.mode }),
    facts,
  })
  if (!answer.ok) {
    opts.printError(
      answer.unreachable ? `cannot reach the server at ${serverUrl}: ${answer.message}` : `register: ${answer.message}`,
    )
    return EXIT_FAILURE
  }
  log.redact(answer.credential)

  const config: AgentConfig = {
    serverUrl,
    agentId: answer.agentId,
    credential: answer.credential,
    mode: answer.kind,
    ...(opts.name !== undefined && { name: opts.name }),
    ...local,
  }
  try {
    await saveAgentConfig(opts.configPath, config)
  } catch (err) {
    // The token is spent by now: say what to do rather than leave the person with nothing.
    opts.printError(
      `register: registered as agent ${answer.agentId}, but cannot write ${opts.configPath}: ${(err as Error).message}. ` +
        'The token is used up; delete this agent in the dashboard and register again with a new token.',
    )
    return EXIT_FAILURE
  }
  const runHint = opts.configPath === DEFAULT_CONFIG_PATH ? '' : ` --config ${opts.configPath}`
  opts.print(
    [
      `Registered with ${serverUrl} as ${answer.kind} agent ${answer.agentId}.`,
      `Wrote ${opts.configPath} (mode 0600; it holds the agent's credential).`,
      `WireGuard public key: ${publicKey} (private key in ${local.stateDir}/private.key).`,
      `Start the agent with: wirewarp-agent run${runHint}`,
      ...(driverNote ? [driverNote] : []),
      '',
    ].join('\n'),
  )
  return EXIT_OK
}

/** Sends the register message and waits for the one answer. */
function exchange(url: string, timeoutMs: number, message: AgentMessage): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false
    let failure: string | null = null
    const finish = (a: Answer) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(a)
      ws.close(1000, 'registered')
    }
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs })
    let opened = false
    let timer: NodeJS.Timeout | undefined
    ws.on('open', () => {
      opened = true
      // The handshake has its own timeout; this one covers a server that accepts and never answers.
      timer = setTimeout(() => {
        finish({
          ok: false,
          message: `the server did not answer the registration within ${Math.round(timeoutMs / 1000)} s`,
          unreachable: false,
        })
        ws.terminate()
      }, timeoutMs)
      ws.send(JSON.stringify(message))
    })
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      const frame = parseHubFrame(data.toString())
      if (!frame.ok)
        return finish({ ok: false, message: `unreadable answer from the server: ${frame.problem}`, unreachable: false })
      const m = frame.message
      if (m.type === 'registered') finish({ ok: true, agentId: m.agentId, credential: m.credential, kind: m.kind })
      else if (m.type === 'error') finish({ ok: false, message: m.message, unreachable: false })
    })
    ws.on('error', (err) => {
      failure ??= describeSocketError(err, timeoutMs)
    })
    ws.on('close', (code, reason) => {
      if (!opened) return finish({ ok: false, message: failure ?? `closed (code ${code})`, unreachable: true })
      const why = reason.toString()
      finish({
        ok: false,
        message: `the server closed the connection without an answer (code ${code}${why ? `, ${why}` : ''})`,
        unreachable: false,
      })
    })
  })
}
