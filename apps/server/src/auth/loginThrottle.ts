/**
 * Login throttling: failed sign-ins are counted per client IP and per account in a sliding
 * window; past the limit the next attempt gets 429 with Retry-After. In process memory: one
 * server process is the common case, and a restart only forgives.
 */

interface Window {
  failures: number[]
}

export interface ThrottleLimits {
  windowMs: number
  perIp: number
  perAccount: number
}

export const DEFAULT_LIMITS: ThrottleLimits = { windowMs: 15 * 60_000, perIp: 30, perAccount: 8 }

export class LoginThrottle {
  readonly #byIp = new Map<string, Window>()
  readonly #byAccount = new Map<string, Window>()

  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before another attempt is allowed, or 0. */
  retryAfter(ip: string, account: string): number {
    const t = this.now()
    const wait = (map: Map<string, Window>, key: string, limit: number) => {
      const w = this.#prune(map, key, t)
      if (!w || w.failures.length < limit) return 0
      const oldest = w.failures[w.failures.length - limit] ?? t
      return Math.max(1, Math.ceil((oldest + this.limits.windowMs - t) / 1000))
    }
    return Math.max(wait(this.#byIp, ip, this.limits.perIp), wait(this.#byAccount, account, this.limits.perAccount))
  }

  recordFailure(ip: string, account: string): void {
    const t = this.now()
    for (const [map, key] of [
      [this.#byIp, ip],
      [this.#byAccount, account],
    ] as const) {
      const w = this.#prune(map, key, t) ?? { failures: [] }
      w.failures.push(t)
      map.set(key, w)
    }
    this.#sweep(t)
  }

  /** A successful sign-in clears the account's count (not the IP's: one good password is no licence to guess others). */
  recordSuccess(account: string): void {
    this.#byAccount.delete(account)
  }

  #prune(map: Map<string, Window>, key: string, t: number): Window | undefined {
    const w = map.get(key)
    if (!w) return undefined
    w.failures = w.failures.filter((f) => f > t - this.limits.windowMs)
    if (w.failures.length === 0) {
      map.delete(key)
      return undefined
    }
    return w
  }

  // Bounds memory under a spray of distinct IPs or emails.
  #sweep(t: number): void {
    for (const map of [this.#byIp, this.#byAccount]) {
      if (map.size < 10_000) continue
      for (const key of [...map.keys()]) this.#prune(map, key, t)
    }
  }
}
