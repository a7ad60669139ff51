/**
 * The one way the agent starts a process: `execFile` with an argument array (never a shell
 * string), `LC_ALL=C`, a timeout, and the command's stderr in the error. Secrets travel on stdin,
 * never in argv, where any user could read them in `ps`.
 */
import { execFile } from 'node:child_process'

export interface RunOptions {
  /** Written to the command's stdin, which is then closed; empty when absent. */
  stdin?: string
  timeoutMs?: number
  /** Variables to add (a string) or remove (undefined) from the agent's environment. */
  env?: Record<string, string | undefined>
}

/** Runs argv and resolves with its stdout; rejects with CommandFailed. */
export type Run = (argv: readonly string[], opts?: RunOptions) => Promise<string>

const DEFAULT_TIMEOUT_MS = 20_000
// `nft -j list table` of a server with large port ranges runs to megabytes.
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024

export class CommandFailed extends Error {
  constructor(
    readonly argv: readonly string[],
    /** The exit code; null when the process was killed or never started. */
    readonly exitCode: number | null,
    readonly stderr: string,
    /** `ENOENT` when the program is not installed, `ETIMEDOUT` after the timeout. */
    readonly reason: 'exit' | 'ENOENT' | 'ETIMEDOUT' | 'other',
  ) {
    const cmd = argv.join(' ')
    const detail =
      reason === 'ENOENT'
        ? `${argv[0]} is not installed (or not on PATH)`
        : reason === 'ETIMEDOUT'
          ? 'timed out'
          : `exit code ${exitCode ?? 'none'}`
    const err = stderr.trim()
    super(`\`${cmd}\` failed: ${detail}${err ? `: ${err}` : ''}`)
  }
}

export interface RunnerOptions {
  /**
   * Put before every argv, e.g. `['nsenter', '-t', PID, '-m', '-n']` to run everything inside a
   * test's network and mount namespace. Error messages show the argv without it.
   */
  prefix?: readonly string[]
  timeoutMs?: number
}

export function createRunner(opts: RunnerOptions = {}): Run {
  const prefix = opts.prefix ?? []
  return (argv, { stdin, timeoutMs, env: extra } = {}) =>
    new Promise((resolve, reject) => {
      if (argv.length === 0) return reject(new Error('run: empty argv'))
      // LC_ALL=C: stable, parseable tool output and error texts.
      const env: Record<string, string | undefined> = { ...process.env, LC_ALL: 'C' }
      for (const [k, v] of Object.entries(extra ?? {})) {
        if (v === undefined) delete env[k]
        else env[k] = v
      }
      const full = [...prefix, ...argv]
      const child = execFile(
        full[0]!,
        full.slice(1),
        { env, timeout: timeoutMs ?? opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout)
          const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string }
          const reason =
            e.code === 'ENOENT' ? 'ENOENT' : e.killed ? 'ETIMEDOUT' : typeof e.code === 'number' ? 'exit' : 'other'
          const stderrText = reason === 'other' && !stderr ? e.message : stderr
          reject(new CommandFailed(argv, typeof e.code === 'number' ? e.code : null, stderrText, reason))
        },
      )
      // A program that exits without reading its stdin makes the write fail with EPIPE; its exit
      // status tells what happened.
      child.stdin?.on('error', () => {})
      child.stdin?.end(stdin ?? '')
    })
}

/** The runner the agent uses on its own host. */
export const run: Run = createRunner()
