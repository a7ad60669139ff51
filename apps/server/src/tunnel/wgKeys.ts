/** WireGuard keys the server makes: a key pair an API client asks for, and preshared keys. */
import { generateKeyPairSync, randomBytes } from 'node:crypto'

/** An X25519 key pair in WireGuard's base64 form. The private key is returned once, never stored. */
export function generateWgKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519')
  // The raw 32 bytes are the JWK's `d` and `x` (base64url).
  const d = privateKey.export({ format: 'jwk' }).d!
  const x = publicKey.export({ format: 'jwk' }).x!
  return {
    privateKey: Buffer.from(d, 'base64url').toString('base64'),
    publicKey: Buffer.from(x, 'base64url').toString('base64'),
  }
}

export function generatePresharedKey(): string {
  return randomBytes(32).toString('base64')
}
