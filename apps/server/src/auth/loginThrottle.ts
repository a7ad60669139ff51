/**
 * Decides whether a sign-in attempt may be checked, claiming it in the database before the slow
 * password hash (store/throttle.ts), so that parallel guesses and several server processes all
 * count against the same allowance and a stranger's failures cannot lock the owner out.
 *
 * An attempt from a browser without a valid device cookie for the account is counted on three
 * keys; one from a browser with one (it signed in to that account before) only on its device:
 *
 * | key                         | free failures | then waits (after the previous failure) |
 * |-----------------------------|---------------|------------------------------------------|
 * | address (IPv6: its /64)     | 20            | 2 s, 4 s, 8 s … at most 15 min           |
 * | address + account           | 5             | the same; a success forgets it           |
 * | account                     | 25 *          | the same                                 |
 * | device cookie (instead)     | 5             | the same; a success forgets it           |
 *
 * \* Only failures that were free at their address + account count on the account, so one
 * address alone never trips it (5 < 25): it takes guessing from many addresses, and then only
 * browsers that have signed in to the account before get through. A key without a failure for
 * an hour is forgiven. A successful attempt gives back what it claimed.
 */
import type { Db } from '../db/database.ts'
import {
  claimAttempt,
  settleAttempt,
  type ThrottleDecision,
  type ThrottleKey,
  type ThrottleLimits,
  type ThrottleTicket,
} from '../store/throttle.ts'
import { addressKey } from './addressKey.ts'

export interface LoginLimits {
  address: ThrottleLimits
  addressAccount: ThrottleLimits
  account: ThrottleLimits
  device: ThrottleLimits
}

// A typing owner waits 2 s after five misses; the cap keeps a forgotten script from waiting for days.
const backOff = { baseDelayMs: 2000, maxDelayMs: 15 * 60_000, forgetAfterMs: 3600_000 }

export const LOGIN_LIMITS: LoginLimits = {
  address: { free: 20, ...backOff },
  addressAccount: { free: 5, ...backOff },
  account: { free: 25, ...backOff },
  device: { free: 5, ...backOff },
}

export interface LoginAttempt {
  ip: string
  /** The account as typed, trimmed and lower-cased. */
  email: string
  /** The id from a device cookie verified for this account (DeviceCookies.verify), or null. */
  deviceId: string | null
}

export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly limits: LoginLimits = LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Claims one attempt; when refused, the attempt must not be checked. */
  claim(attempt: LoginAttempt): Promise<ThrottleDecision> {
    return claimAttempt(this.db, loginKeys(attempt, this.limits), this.now())
  }

  /** Reports the check's outcome: a success gives the claim back. */
  settle(ticket: ThrottleTicket, ok: boolean): Promise<void> {
    return settleAttempt(this.db, ticket, ok)
  }
}

function loginKeys({ ip, email, deviceId }: LoginAttempt, limits: LoginLimits): ThrottleKey[] {
  // A stolen device cookie is still held to its own allowance, wherever it is used from.
  if (deviceId) return [{ key: `login:device:${deviceId}`, limits: limits.device, resetOnSuccess: true }]
  const address = addressKey(ip)
  const addressAccount = `login:address-account:${address} ${email}`
  return [
    { key: `login:address:${address}`, limits: limits.address },
    { key: addressAccount, limits: limits.addressAccount, resetOnSuccess: true },
    { key: `login:account:${email}`, limits: limits.account, countOnlyWhileFreeOn: addressAccount },
  ]
}
