/**
 * Runs the real agent bundle (apps/agent/dist/wirewarp-agent.js) as child processes against a
 * test server, with the recording driver in a temporary state directory.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DesiredState } from '@wirewarp/protocol'

export const AGENT_BIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../apps/agent/dist/wirewarp-agent.js',
)

/** Missing bundle: skip on a laptop, fail under CI (`npm test` builds it first). */
export function skipAgent(): boolean {
  if (existsSync(AGENT_BIN)) return false
  if (process.env.CI) throw new Error(`${AGENT_BIN} is missing, and CI=true: run npm run build`)
  return true
}

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export function agentCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [AGENT_BIN, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr })
    })
  })
}

export class AgentHome {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-agent-'))
  readonly config = path.join(this.dir, 'agent.yaml')
  readonly stateDir = path.join(this.dir, 'state')
  #processes: RunningAgent[] = []

  register(url: string, token: string, mode?: 'server' | 'client'): Promise<CliResult> {
    const args = [
      'register',
      '--url',
      url,
      '--token',
      token,
      '--config',
      this.config,
      '--state-dir',
      this.stateDir,
      '--driver',
      'recording',
    ]
    if (mode) args.push('--mode', mode)
    return agentCli(args)
  }

  run(): RunningAgent {
    const a = new RunningAgent(
      spawn(process.execPath, [AGENT_BIN, 'run', '--config', this.config], { stdio: ['ignore', 'pipe', 'pipe'] }),
    )
    this.#processes.push(a)
    return a
  }

  /** Every state the recording driver applied, oldest first. */
  applied(): { revision: number; state: DesiredState }[] {
    const file = path.join(this.stateDir, 'recording.jsonl')
    if (!existsSync(file)) return []
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { revision: number; state: DesiredState })
  }

  cleanup(): void {
    for (const p of this.#processes) p.kill('SIGKILL')
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export class RunningAgent {
  stderr = ''
  readonly exited: Promise<number | null>

  constructor(readonly child: ChildProcess) {
    child.stderr!.on('data', (d) => {
      this.stderr += d
    })
    child.stdout!.resume()
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  }

  /** Resolves once stderr has `count` lines matching `re`. */
  async waitFor(re: RegExp, count = 1, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms
    const global = new RegExp(re.source, `${re.flags.replace('g', '')}g`)
    while ((this.stderr.match(global)?.length ?? 0) < count) {
      if (this.child.exitCode !== null)
        throw new Error(`agent exited (${this.child.exitCode}) while waiting for ${re}:\n${this.stderr}`)
      if (Date.now() > deadline) throw new Error(`no ${count}× ${re} within ${ms} ms:\n${this.stderr}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
  }
}
