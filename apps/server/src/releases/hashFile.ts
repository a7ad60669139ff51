/**
 * SHA-256 of a file, read as a stream (release executables are over 100 MB), and remembered per
 * path for as long as the file's size, mtime and inode stay the same, so a rescan hashes only
 * what changed.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'

/** What identifies one version of a file's bytes without reading them. */
export interface FileIdentity {
  size: number
  mtimeMs: number
  ino: number
}

export const sameIdentity = (a: FileIdentity, b: FileIdentity) =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino

// Shared by every server in the process: tests start many on the same built-in release.
const known = new Map<string, { identity: FileIdentity; sha256: Promise<string> }>()

export function hashFile(file: string, identity: FileIdentity): Promise<string> {
  const hit = known.get(file)
  if (hit && sameIdentity(hit.identity, identity)) return hit.sha256
  const sha256 = (async () => {
    const hash = createHash('sha256')
    await pipeline(createReadStream(file), hash)
    return hash.digest('hex')
  })()
  known.set(file, { identity, sha256 })
  // A failed read is not remembered: the next scan tries again.
  sha256.catch(() => {
    if (known.get(file)?.sha256 === sha256) known.delete(file)
  })
  return sha256
}
