import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { WgKey } from '@wirewarp/protocol'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { loadOrCreatePrivateKey } from './privateKeyFile.ts'
import { wgPublicKey } from './wireguardKeys.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-key-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

test('creates the key once, 0600, and reuses it', async () => {
  const stateDir = path.join(dir, 'state')
  const first = await loadOrCreatePrivateKey(stateDir)
  expect(WgKey.safeParse(first.publicKey).success).toBe(true)
  const file = path.join(stateDir, 'private.key')
  expect((await stat(file)).mode & 0o777).toBe(0o600)
  expect((await stat(stateDir)).mode & 0o777).toBe(0o700)
  expect((await readFile(file, 'utf8')).trim()).toBe(first.privateKey)
  const second = await loadOrCreatePrivateKey(stateDir)
  expect(second).toEqual(first)
  expect(wgPublicKey(second.privateKey)).toBe(first.publicKey)
})

test('a damaged key file is an error that names the file, not a silent new key', async () => {
  await writeFile(path.join(dir, 'private.key'), 'not a key\n')
  await expect(loadOrCreatePrivateKey(dir)).rejects.toThrow(/private\.key does not hold a WireGuard private key/)
})
