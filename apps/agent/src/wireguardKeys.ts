/**
 * WireGuard key pairs (X25519) from node:crypto, as the base64 text `wg` uses. Pure: no files;
 * `privateKeyFile.ts` keeps the agent's key on disk.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'

// The PKCS#8 DER header of an X25519 private key; the 32 raw key bytes follow it. Node's JWK
// import would also need the public half, which is what we want to compute.
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')

export interface WgKeyPair {
  privateKey: string
  publicKey: string
}

/** Clamps a private scalar the way `wg genkey` does, so our keys look like any other WireGuard key. */
function clamp(raw: Buffer): Buffer {
  const k = Buffer.from(raw)
  k[0] = k[0]! & 248
  k[31] = (k[31]! & 127) | 64
  return k
}

export function generateWgKeyPair(): WgKeyPair {
  const { privateKey } = generateKeyPairSync('x25519')
  const jwk = privateKey.export({ format: 'jwk' })
  // X25519 clamps internally, so clamping changes the text but not the public key.
  const raw = clamp(Buffer.from(jwk.d!, 'base64url'))
  const privateText = raw.toString('base64')
  return { privateKey: privateText, publicKey: wgPublicKey(privateText) }
}

/** The public key of a base64 private key; throws when it is not 32 bytes. */
export function wgPublicKey(privateKey: string): string {
  const raw = Buffer.from(privateKey, 'base64')
  if (raw.length !== 32 || raw.toString('base64') !== privateKey)
    throw new Error('A WireGuard private key must be 32 bytes in base64')
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, raw]), format: 'der', type: 'pkcs8' })
  const x = createPublicKey(key).export({ format: 'jwk' }).x!
  return Buffer.from(x, 'base64url').toString('base64')
}
