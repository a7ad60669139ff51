/**
 * Replaces a file so that readers, and the file after a crash or power loss, see either the old
 * content or the new, never a mix: write a temp file in the same directory, fsync, rename, fsync
 * the directory.
 */
import { randomBytes } from 'node:crypto'
import * as nodeFs from 'node:fs/promises'
import path from 'node:path'

/** The parts of node:fs/promises used here; tests pass a version that fails on purpose. */
export type AtomicFs = Pick<typeof nodeFs, 'open' | 'rename' | 'unlink'>

/** Temp files are `<name>.<random>.tmp`, so a crash leftover can be recognised and removed. */
export function isTempFileOf(fileName: string, candidate: string): boolean {
  return candidate.startsWith(`${fileName}.`) && candidate.endsWith('.tmp')
}

export async function writeFileAtomic(
  file: string,
  data: string,
  opts: { mode?: number; fs?: AtomicFs } = {},
): Promise<void> {
  const fs = opts.fs ?? nodeFs
  const mode = opts.mode ?? 0o600
  // Same directory as the target: rename(2) is only atomic within one file system.
  const tmp = path.join(path.dirname(file), `${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  let renamed = false
  try {
    const fh = await fs.open(tmp, 'wx', mode)
    try {
      await fh.writeFile(data, 'utf8')
      // The umask may have narrowed the mode, never widened it; chmod makes it exact either way.
      await fh.chmod(mode)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await fs.rename(tmp, file)
    renamed = true
  } finally {
    if (!renamed) await fs.unlink(tmp).catch(() => {})
  }
  // Persist the rename itself; some file systems cannot fsync a directory, which is fine.
  const dir = await nodeFs.open(path.dirname(file), 'r').catch(() => null)
  if (dir) {
    await dir.sync().catch(() => {})
    await dir.close()
  }
}
