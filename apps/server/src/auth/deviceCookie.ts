/**
 * The `wirewarp_device` cookie: proof, signed with a key derived from the master secret, that a
 * browser signed in to an account before, so the login throttle can tell it from strangers
 * (OWASP "device cookies"). It grants nothing else.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

export const DEVICE_COOKIE = 'wirewarp_device'
// v2: the account is a MAC of the email, not the email itself; v1 cookies are simply not trusted.
const VERSION = 'v2'
const MAX_AGE_MS = 180 * 86400_000

export class DeviceCookies {
  readonly #key: Buffer
  readonly maxAgeSeconds = MAX_AGE_MS / 1000

  constructor(
    masterSecret: string,
    private readonly now: () => number = Date.now,
  ) {
    // Its own derived key: a device cookie's MAC must never double as anything secretBox seals.
    this.#key = Buffer.from(hkdfSync('sha256', masterSecret, 'wirewarp', 'device-cookie v1', 32))
  }

  /** A new cookie value for a browser that just signed in as `email` (lower case). */
  issue(email: string): string {
    const body = [VERSION, this.#account(email), String(this.now()), randomBytes(16).toString('base64url')].join('.')
    return `${body}.${this.#mac(body)}`
  }

  /** The device's id when `value` is a cookie this server issued for `email` and not yet expired; else null. */
  verify(value: string | undefined, email: string): string | null {
    if (!value) return null
    const cut = value.lastIndexOf('.')
    const body = value.slice(0, cut)
    // Compared as text, not decoded bytes: base64url has spare bits, and only one spelling is ours.
    const mac = Buffer.from(value.slice(cut + 1), 'utf8')
    const expected = Buffer.from(this.#mac(body), 'utf8')
    if (cut < 0 || mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null
    const [version, account, issuedAt, id] = body.split('.')
    if (version !== VERSION || !id || account !== this.#account(email)) return null
    const age = this.now() - Number(issuedAt)
    return age >= 0 && age < MAX_AGE_MS ? id : null
  }

  /** Names the account without showing its email to whoever reads the cookie. */
  #account(email: string): string {
    return this.#mac(`account ${email}`).slice(0, 22)
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(body, 'utf8').digest('base64url')
  }
}
