import { WgKey } from '@wirewarp/protocol'
import { describe, expect, test } from 'vitest'
import { generateWgKeyPair, wgPublicKey } from './wireguardKeys.ts'

const hex = (h: string) => Buffer.from(h, 'hex').toString('base64')

describe('wireguardKeys', () => {
  test('derives the RFC 7748 test vector', () => {
    // RFC 7748 §6.1, Alice's key pair.
    const priv = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')
    expect(wgPublicKey(priv)).toBe(hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'))
  })

  test('a generated pair is well-formed and the public key is derived deterministically', () => {
    const pair = generateWgKeyPair()
    expect(WgKey.safeParse(pair.publicKey).success).toBe(true)
    expect(WgKey.safeParse(pair.privateKey).success).toBe(true)
    expect(wgPublicKey(pair.privateKey)).toBe(pair.publicKey)
    expect(wgPublicKey(pair.privateKey)).toBe(pair.publicKey)
  })

  test('private keys are clamped like `wg genkey`', () => {
    for (let i = 0; i < 20; i++) {
      const raw = Buffer.from(generateWgKeyPair().privateKey, 'base64')
      expect(raw[0]! & 7).toBe(0)
      expect(raw[31]! & 0xc0).toBe(0x40)
    }
  })

  test('two pairs differ', () => {
    expect(generateWgKeyPair().privateKey).not.toBe(generateWgKeyPair().privateKey)
  })

  test('refuses text that is not a 32-byte key', () => {
    expect(() => wgPublicKey('abc')).toThrow(/32 bytes/)
    expect(() => wgPublicKey(Buffer.alloc(31).toString('base64'))).toThrow(/32 bytes/)
  })
})
