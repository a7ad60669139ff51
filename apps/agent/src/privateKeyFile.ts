/**
 * The agent's WireGuard private key in `<stateDir>/private.key` (mode 0600): made once, on the
 * agent, and reused on every start. Only the public key it yields ever leaves the host.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { generateWgKeyPair, type WgKeyPair, wgPublicKey } from './wireguardKeys.ts'

export const PRIVATE_KEY_FILE = 'private.key'

export async function loadOrCreatePrivateKey(stateDir: string): Promise<WgKeyPair> {
  const file = path.join(stateDir, PRIVATE_KEY_FILE)
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null
    throw new Error(`cannot read ${file}: ${err.message}`)
  })
  if (existing !== null) return pairFrom(file, existing)

  await mkdir(stateDir, { recursive: true, mode: 0o700 })
  const pair = generateWgKeyPair()
  try {
    // 'wx': if two processes start at once, one creates the key and the other reads it below,
    // rather than each writing its own and the server learning the wrong public key.
    await writeFile(file, `${pair.privateKey}\n`, { mode: 0o600, flag: 'wx' })
    return pair
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return pairFrom(file, await readFile(file, 'utf8'))
    throw new Error(`cannot create ${file}: ${(err as Error).message}`)
  }
}

function pairFrom(file: string, text: string): WgKeyPair {
  const privateKey = text.trim()
  try {
    return { privateKey, publicKey: wgPublicKey(privateKey) }
  } catch {
    // Never replace it silently: the server knows this agent by the public key it yields.
    throw new Error(
      `${file} does not hold a WireGuard private key (32 bytes in base64); restore it or delete it to make a new one`,
    )
  }
}
