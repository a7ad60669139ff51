/**
 * The linux driver's note of what it set up, in `<stateDir>/linux-driver.json`: the mode and the
 * WireGuard interface. Written before the host is touched, so that after a crash, a restart, a
 * mode switch or a renamed interface, teardown knows which interface is the agent's to remove.
 */
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { writeFileAtomic } from '../writeFileAtomic.ts'

export const APPLIED_RECORD_FILE = 'linux-driver.json'

export const DriverRecord = z.object({
  mode: z.enum(['server', 'client']),
  interface: z.string(),
})
export type DriverRecord = z.infer<typeof DriverRecord>

export class AppliedRecordFile {
  readonly file: string

  constructor(stateDir: string) {
    this.file = path.join(stateDir, APPLIED_RECORD_FILE)
  }

  async read(): Promise<DriverRecord | null> {
    const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null
      throw new Error(`cannot read ${this.file}: ${err.message}`)
    })
    if (text === null) return null
    // A damaged note only costs the automatic removal of an old interface; never block applies.
    try {
      const parsed = DriverRecord.safeParse(JSON.parse(text))
      return parsed.success ? parsed.data : null
    } catch {
      return null
    }
  }

  async write(record: DriverRecord): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify(record)}\n`)
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true })
  }
}
