/**
 * A long-running lab process (control server, agent, echo server): started detached with its
 * output in a log file and its pid (plus start time, against pid reuse) in a pid file, so that
 * it outlives `npm run lab -- up` and any later `down` stops exactly it and nothing else.
 */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { LabDir } from './labDir.ts'
import { waitUntil } from './waitUntil.ts'

interface PidRecord {
  pid: number
  startTime: string
  argv: string[]
}

/** Field 22 of /proc/PID/stat (start time in clock ticks) and the state letter; null when gone. */
function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' }
  } catch {
    return null
  }
}

/** Alive, and still the process that was recorded (not a new one that got the same pid). */
function isRunning(r: PidRecord): boolean {
  const s = procStat(r.pid)
  return s !== null && s.state !== 'Z' && s.state !== 'X' && s.startTime === r.startTime
}

/** Sends a signal to a process that may already be gone. */
export function sendSignal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {}
}

function countMatches(text: string, re: RegExp): number {
  return text.match(new RegExp(re.source, `${re.flags.replace('g', '')}g`))?.length ?? 0
}

/** Stops a recorded process: `sig` first, SIGKILL if it is still there after `graceMs`. */
async function stopRecord(r: PidRecord, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!isRunning(r)) return
  sendSignal(r.pid, sig)
  const deadline = Date.now() + graceMs
  while (isRunning(r) && Date.now() < deadline) await sleep(25)
  if (isRunning(r)) sendSignal(r.pid, 'SIGKILL')
  await waitUntil(() => !isRunning(r), { timeoutMs: 5000, what: `pid ${r.pid} (${r.argv.join(' ')}) to exit` })
}

export class LabProcess {
  private constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly pidFile: string,
    private readonly record: PidRecord,
  ) {}

  static start(dir: LabDir, name: string, argv: string[], env: NodeJS.ProcessEnv = process.env): LabProcess {
    const [file, ...args] = argv
    if (!file) throw new Error('LabProcess.start: empty argv')
    const logFile = dir.logFile(name)
    const fd = openSync(logFile, 'a')
    try {
      const child = spawn(file, args, { detached: true, stdio: ['ignore', fd, fd], env })
      // A failed spawn leaves no pid (thrown below); the event must not crash the caller.
      child.on('error', () => {})
      child.unref()
      if (child.pid === undefined) throw new Error(`could not start ${argv.join(' ')}`)
      const stat = procStat(child.pid)
      const record = { pid: child.pid, startTime: stat?.startTime ?? '', argv }
      writeFileSync(dir.pidFile(name), JSON.stringify(record))
      return new LabProcess(name, logFile, dir.pidFile(name), record)
    } finally {
      closeSync(fd)
    }
  }

  get running(): boolean {
    return isRunning(this.record)
  }

  /** Everything the process wrote to stdout and stderr, across restarts under the same name. */
  output(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : ''
  }

  /** How many matches of `re` the output has so far: wait for one more with `waitForOutput(re, n + 1)`. */
  count(re: RegExp): number {
    return countMatches(this.output(), re)
  }

  /** Resolves once the output has `count` matches of `re`; fails early if the process dies. */
  async waitForOutput(re: RegExp, count = 1, timeoutMs = 15_000): Promise<void> {
    await waitUntil(
      () => {
        if (this.count(re) >= count) return true
        if (!this.running) throw new Error(`${this.name} exited while waiting for ${re}:\n${this.tail()}`)
        return false
      },
      { timeoutMs, what: `${count}× ${re} from ${this.name}`, detail: () => this.tail() },
    )
  }

  /** The last lines of the output, for error messages. */
  tail(lines = 30): string {
    return this.output().split('\n').slice(-lines).join('\n')
  }

  async stop(sig: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    await stopRecord(this.record, sig, graceMs)
    rmSync(this.pidFile, { force: true })
  }
}

/** Stops every process with a pid file in the lab directory (what `down` does first). */
export async function stopRecordedProcesses(dir: LabDir): Promise<void> {
  if (!existsSync(dir.pidDir)) return
  await Promise.all(
    readdirSync(dir.pidDir).map(async (f) => {
      const file = path.join(dir.pidDir, f)
      try {
        await stopRecord(JSON.parse(readFileSync(file, 'utf8')) as PidRecord, 'SIGTERM', 3000)
      } catch {}
      rmSync(file, { force: true })
    }),
  )
}
