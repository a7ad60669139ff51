/**
 * The server's master secret: WIREWARP_SECRET, or a key generated once into the data directory
 * (mode 0600). Secrets at rest (SMTP passwords, OIDC client secrets, TOTP seeds) are sealed with
 * a key derived from it; see secretBox.ts.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export function loadSecret(dataDir: string, fromEnv: string | undefined): { secret: string; generated: boolean } {
  if (fromEnv) return { secret: fromEnv, generated: false }
  const file = path.join(dataDir, 'secret.key')
  try {
    const secret = readFileSync(file, 'utf8').trim()
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
    if (secret.length < 32) throw new Error(`${file} holds fewer than 32 characters; delete it to have a new one made`)
    return { secret, generated: false }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(32).toString('base64url')
  // 'wx' fails if another process made the file between our read and this write.
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  return { secret, generated: true }
}
