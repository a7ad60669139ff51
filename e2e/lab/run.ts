/**
 * Runs one system command for the lab (`ip`, `nft`, `wg`, `node …`): an argv array through
 * execFile, never a shell string, with a timeout and the command's stderr in the error.
 */
import { execFile } from 'node:child_process'

export interface RunOptions {
  stdin?: string
  timeoutMs?: number
}

export class CommandFailed extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`\`${argv.join(' ')}\` failed (${code}): ${stderr.trim() || stdout.trim() || 'no output'}`)
  }
}

export type Run = (argv: readonly string[], opts?: RunOptions) => Promise<string>

export const run: Run = (argv, { stdin, timeoutMs = 30_000 } = {}) =>
  new Promise((resolve, reject) => {
    const [file, ...args] = argv
    if (!file) throw new Error('run: empty argv')
    // Stable, parseable tool output.
    const env = { ...process.env, LC_ALL: 'C' }
    const child = execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout)
      const code = typeof err.code === 'number' || typeof err.code === 'string' ? err.code : (err.signal ?? null)
      reject(new CommandFailed(argv, code, stdout, stderr))
    })
    // A command that exits without reading its input closes the pipe: its result tells, not EPIPE.
    child.stdin?.on('error', () => {})
    child.stdin?.end(stdin)
  })

/** Runs a command whose failure is expected sometimes (removing what may be gone); true if it worked. */
export async function tryRun(argv: readonly string[], opts?: RunOptions): Promise<boolean> {
  try {
    await run(argv, opts)
    return true
  } catch (err) {
    if (err instanceof CommandFailed) return false
    throw err
  }
}

/** The argv that runs `argv` inside network namespace `ns` (the root namespace when null). */
export function inNamespace(ns: string | null, argv: readonly string[]): string[] {
  return ns ? ['ip', 'netns', 'exec', ns, ...argv] : [...argv]
}
