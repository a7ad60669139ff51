/**
 * Makes a WireGuard key pair in the browser, so a device's private key never leaves the page. Uses
 * WebCrypto's X25519 where it exists; over plain http (not a secure context, so no `crypto.subtle`)
 * or in a browser without X25519, the audited @noble/curves does the same maths with
 * `crypto.getRandomValues`, which every context has. noble loads only when it is needed: most
 * dashboards are served over https and never fetch it.
 */

/** Which implementation made the pair: shown to tests, never to decide anything. */
export type KeySource = 'webcrypto' | 'noble'

export interface WgKeyPair {
  /** Standard base64 of 32 bytes (44 characters), as `wg genkey` prints it. */
  privateKey: string
  publicKey: string
  source: KeySource
}

/** The parts of `crypto` used here; `subtle` is undefined outside a secure context. */
export interface KeyCrypto {
  getRandomValues: Crypto['getRandomValues']
  subtle?: SubtleCrypto | undefined
}

export async function generateKeyPair(c: KeyCrypto = globalThis.crypto): Promise<WgKeyPair> {
  const viaWebCrypto = c.subtle ? await webCryptoPair(c.subtle).catch(() => null) : null
  if (viaWebCrypto) return viaWebCrypto
  const { x25519 } = await loadNoble()
  const secret = new Uint8Array(32)
  c.getRandomValues(secret)
  clamp(secret)
  return { privateKey: toBase64(secret), publicKey: toBase64(x25519.getPublicKey(secret)), source: 'noble' }
}

/** The public key of a base64 private key (as WireGuard derives it: the key is clamped first). */
export async function publicKeyOf(privateKey: string): Promise<string> {
  const { x25519 } = await loadNoble()
  return toBase64(x25519.getPublicKey(fromBase64(privateKey)))
}

const loadNoble = () => import('@noble/curves/ed25519.js')

/** Rejects where X25519 is not supported; the caller then falls back to noble. */
async function webCryptoPair(subtle: SubtleCrypto): Promise<WgKeyPair> {
  const pair = (await subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair
  const jwk = await subtle.exportKey('jwk', pair.privateKey)
  const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey))
  if (!jwk.d) throw new Error('the private key did not export')
  const secret = fromBase64Url(jwk.d)
  if (secret.length !== 32 || publicKey.length !== 32) throw new Error('unexpected key length')
  // X25519 clamps the scalar before every use, so clamping changes no result; it makes the key
  // read as `wg genkey` would have written it.
  clamp(secret)
  return { privateKey: toBase64(secret), publicKey: toBase64(publicKey), source: 'webcrypto' }
}

/** Curve25519's clamping (RFC 7748 §5), as `wg genkey` applies it. */
function clamp(k: Uint8Array): void {
  k[0] = k[0]! & 248
  k[31] = (k[31]! & 127) | 64
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  return fromBase64(b64.padEnd(Math.ceil(b64.length / 4) * 4, '='))
}
