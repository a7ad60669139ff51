/** Both ways of making a key pair give WireGuard keys whose halves belong together. */
import { webcrypto } from 'node:crypto'
import { MISSING_PRIVATE_KEY_NOTE, renderDeviceConfig, WgKey } from '@wirewarp/protocol'
import { describe, expect, test, vi } from 'vitest'
import { completeDeviceConfig } from './completeDeviceConfig.ts'
import { generateKeyPair, publicKeyOf } from './generateKeyPair.ts'

const subtle = webcrypto.subtle as SubtleCrypto
const getRandomValues = webcrypto.getRandomValues.bind(webcrypto) as Crypto['getRandomValues']

function bytes(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
}

const base64 = (b: Uint8Array) => btoa(String.fromCharCode(...b))

async function expectWireGuardPair(pair: { privateKey: string; publicKey: string }) {
  for (const key of [pair.privateKey, pair.publicKey]) {
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/)
    expect(WgKey.safeParse(key).success).toBe(true)
  }
  // Clamped as `wg genkey` writes it.
  const secret = bytes(pair.privateKey)
  expect(secret[0]! & 7).toBe(0)
  expect(secret[31]! & 0xc0).toBe(0x40)
  expect(await publicKeyOf(pair.privateKey)).toBe(pair.publicKey)
}

describe('generateKeyPair', () => {
  test('with WebCrypto: a pair whose public key noble derives from its private key', async () => {
    for (let i = 0; i < 5; i++) {
      const pair = await generateKeyPair({ subtle, getRandomValues })
      expect(pair.source).toBe('webcrypto')
      await expectWireGuardPair(pair)
    }
  })

  test('the WebCrypto public key is the one X25519 computes with the private key', async () => {
    const pair = await generateKeyPair({ subtle, getRandomValues })
    // Node derives it independently from the same private scalar, through a PKCS#8 import.
    const pkcs8 = new Uint8Array([...bytes('MC4CAQAwBQYDK2VuBCIEIA=='), ...bytes(pair.privateKey)])
    const imported = await subtle.importKey('pkcs8', pkcs8, { name: 'X25519' }, true, ['deriveBits'])
    const jwk = await subtle.exportKey('jwk', imported)
    expect(base64(bytes(jwk.x!))).toBe(pair.publicKey)
  })

  test('without crypto.subtle (plain http): noble with getRandomValues', async () => {
    const random = vi.fn(getRandomValues)
    const pair = await generateKeyPair({ subtle: undefined, getRandomValues: random as Crypto['getRandomValues'] })
    expect(pair.source).toBe('noble')
    expect(random).toHaveBeenCalledOnce()
    await expectWireGuardPair(pair)
    const other = await generateKeyPair({ subtle: undefined, getRandomValues })
    expect(other.privateKey).not.toBe(pair.privateKey)
  })

  test('where WebCrypto has no X25519: noble', async () => {
    const noX25519 = {
      generateKey: () => Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError')),
    } as unknown as SubtleCrypto
    const pair = await generateKeyPair({ subtle: noX25519, getRandomValues })
    expect(pair.source).toBe('noble')
    await expectWireGuardPair(pair)
  })

  test('the default is the global crypto', async () => {
    expect((await generateKeyPair()).source).toBe('webcrypto')
  })

  test('a known vector: RFC 7748 §6.1, Alice', async () => {
    const hex = (h: string) => base64(Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16)))
    expect(await publicKeyOf(hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'))).toBe(
      hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'),
    )
  })
})

describe('completeDeviceConfig', () => {
  const config = renderDeviceConfig({
    name: 'phone',
    privateKey: null,
    addresses: ['100.96.0.2/32'],
    serverPublicKey: 'x'.repeat(43).concat('='),
    presharedKey: null,
    settings: {
      endpoint: 'vpn.example.com:51820',
      dns: [],
      allowedIps: ['0.0.0.0/0'],
      mtu: 1420,
      persistentKeepalive: 25,
    },
  })

  test('the note becomes the key, and nothing else changes', () => {
    const key = 'y'.repeat(43).concat('=')
    const done = completeDeviceConfig(config, key)
    expect(done).toBe(config.replace(MISSING_PRIVATE_KEY_NOTE, `PrivateKey = ${key}`))
    expect(done.split('\n').filter((l) => l.startsWith('PrivateKey'))).toEqual([`PrivateKey = ${key}`])
  })

  test('a config without the note is refused rather than guessed at', () => {
    expect(() => completeDeviceConfig('[Interface]\n', 'k')).toThrow(/place for the private key/)
  })
})
