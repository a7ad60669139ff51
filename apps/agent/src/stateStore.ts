/**
 * The agent's memory across restarts, in its state directory: the last desired state received
 * (`state.json`) and the last revision applied successfully with its epoch (`applied.json`).
 * Both are replaced atomically and parsed with zod when read back.
 */
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises'
import path from 'node:path'
import { DesiredState, Epoch } from '@wirewarp/protocol'
import { z } from 'zod'
import { type AtomicFs, isTempFileOf, writeFileAtomic } from './writeFileAtomic.ts'

export const STATE_FILE = 'state.json'
export const APPLIED_FILE = 'applied.json'

export const AppliedRecord = z.object({
  /** The revision last applied successfully; 0: none yet. */
  revision: z.number().int().min(0),
  /** The server epoch of that revision; '' from servers before epochs, and in files written before them. */
  epoch: Epoch.default(''),
  at: z.string(),
})
export type AppliedRecord = z.infer<typeof AppliedRecord>

/** A state file that exists but cannot be used; the message names the file and the field. */
export class StateFileError extends Error {}

export class StateStore {
  readonly statePath: string
  readonly appliedPath: string

  constructor(
    readonly dir: string,
    private readonly fs?: AtomicFs,
  ) {
    this.statePath = path.join(dir, STATE_FILE)
    this.appliedPath = path.join(dir, APPLIED_FILE)
  }

  /** Creates the directory (0700) and removes temp files a crash may have left behind. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    for (const name of await readdir(this.dir)) {
      if (isTempFileOf(STATE_FILE, name) || isTempFileOf(APPLIED_FILE, name))
        await unlink(path.join(this.dir, name)).catch(() => {})
    }
  }

  /** The last desired state received, or null when there is none yet. */
  async loadState(): Promise<DesiredState | null> {
    return this.read(this.statePath, DesiredState)
  }

  async saveState(state: DesiredState): Promise<void> {
    await this.write(this.statePath, state)
  }

  async loadApplied(): Promise<AppliedRecord | null> {
    return this.read(this.appliedPath, AppliedRecord)
  }

  async saveApplied(record: AppliedRecord): Promise<void> {
    await this.write(this.appliedPath, record)
  }

  private async write(file: string, value: unknown): Promise<void> {
    await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, ...(this.fs && { fs: this.fs }) })
  }

  private async read<T>(file: string, schema: z.ZodType<T>): Promise<T | null> {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw new StateFileError(`cannot read ${file}: ${(err as Error).message}`)
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (err) {
      throw new StateFileError(`${file} is not valid JSON: ${(err as Error).message}`)
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const where = issue.path.length ? `field ${issue.path.join('.')}` : 'the document'
      throw new StateFileError(`${file}: ${where}: ${issue.message}`)
    }
    return parsed.data
  }
}
