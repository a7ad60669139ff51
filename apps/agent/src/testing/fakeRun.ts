/**
 * A stand-in for the command runner: records every argv (and stdin) and answers from a table of
 * outputs keyed by the command line. Commands not in the table succeed with no output, as most
 * changing commands do.
 */
import { CommandFailed, type Run } from '../exec/run.ts'

export interface FakeCall {
  argv: string[]
  stdin?: string
}

type Outcome = string | { fail: string; exitCode?: number }
/** Output, a failure, or a function of the call for answers that change over time. */
export type FakeAnswer = Outcome | (() => Outcome)

export interface FakeRun {
  run: Run
  calls: FakeCall[]
  /** The command lines run so far, joined with spaces. */
  lines(): string[]
  answers: Map<string, FakeAnswer>
}

export function fakeRun(answers: Record<string, FakeAnswer> = {}): FakeRun {
  const calls: FakeCall[] = []
  const table = new Map(Object.entries(answers))
  const run: Run = async (argv, opts) => {
    calls.push({ argv: [...argv], ...(opts?.stdin !== undefined && { stdin: opts.stdin }) })
    const entry = table.get(argv.join(' '))
    const answer = typeof entry === 'function' ? entry() : entry
    if (answer === undefined) return ''
    if (typeof answer === 'string') return answer
    throw new CommandFailed(argv, answer.exitCode ?? 1, answer.fail, 'exit')
  }
  return { run, calls, lines: () => calls.map((c) => c.argv.join(' ')), answers: table }
}

/** Host files for tests: a map of path → content; writes update it. */
export function fakeFiles(initial: Record<string, string> = {}) {
  const files = new Map(Object.entries(initial))
  const writes: string[] = []
  return {
    files,
    writes,
    read: async (p: string) => files.get(p) ?? null,
    write: async (p: string, text: string) => {
      writes.push(`${p}=${text.trim()}`)
      files.set(p, text)
    },
    exists: async (p: string) => files.has(p),
  }
}
