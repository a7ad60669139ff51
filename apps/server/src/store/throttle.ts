/**
 * Throttle counters in the database: an attempt is claimed on all of its keys in one transaction
 * before the slow check it guards, and refunded if that check succeeds. Every server process on
 * the database shares them; nothing is kept in memory and nothing sleeps.
 *
 * Each key's first `free` failures cost nothing; after that an attempt is allowed only once
 * `baseDelayMs · 2^(failures − free)` (at most `maxDelayMs`) has passed since the key's last
 * failure. A refused attempt changes nothing, so hammering does not extend the wait, and a key
 * without a failure for `forgetAfterMs` starts again from zero.
 */
import type { Db } from '../db/database.ts'

export interface ThrottleLimits {
  /** Failures allowed on a key without any wait. */
  free: number
  /** The wait after the first failure beyond `free`; it doubles with each further one. */
  baseDelayMs: number
  maxDelayMs: number
  /** A key with no failure for this long is forgiven. Keep it above `maxDelayMs`, or going quiet beats waiting. */
  forgetAfterMs: number
}

export interface ThrottleKey {
  key: string
  limits: ThrottleLimits
  /**
   * Count a failure on this key only while the attempt is within the free allowance of this other
   * key of the same claim; it is checked against this key either way. The login throttle counts
   * per account only what was free at its address, so one address alone never trips the account.
   */
  countOnlyWhileFreeOn?: string
  /** A success forgets this key's failures instead of only refunding its own. */
  resetOnSuccess?: boolean
}

/** One key's row as claimed; `previous` restores it when the attempt is refunded. */
interface ClaimedKey {
  key: string
  counted: boolean
  resetOnSuccess: boolean
  at: number
  previous: ThrottleState
}

/** Proof of a claimed attempt; hand it to `settleAttempt` once the check is done. */
export interface ThrottleTicket {
  readonly keys: readonly ClaimedKey[]
}

export type ThrottleDecision = { allowed: true; ticket: ThrottleTicket } | { allowed: false; retryAfterSeconds: number }

export interface ThrottleState {
  failures: number
  lastFailureAt: number
  expiresAt: number
}

/** Failures that still count at `now`: none once the key is forgiven. */
function liveFailures(s: ThrottleState, now: number): number {
  return now >= s.expiresAt ? 0 : s.failures
}

/** How long, at `now`, an attempt on a key in state `s` must still wait; 0 when it may go ahead. Pure. */
export function throttleWaitMs(s: ThrottleState, limits: ThrottleLimits, now: number): number {
  const failures = liveFailures(s, now)
  if (failures < limits.free) return 0
  // The exponent is bounded so that a long-hammered key cannot overflow to Infinity·0 = NaN.
  const delay = Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** Math.min(failures - limits.free, 40))
  return Math.max(0, s.lastFailureAt + delay - now)
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

/**
 * Claims one attempt on every key, counting it as a failure up front: parallel attempts each see
 * the others' claims, so no more than the allowance gets through. Refused when any key must
 * still wait, with the longest wait in whole seconds (at least 1).
 */
export async function claimAttempt(db: Db, keys: readonly ThrottleKey[], now: number): Promise<ThrottleDecision> {
  const sorted = [...keys].sort(byKey)
  if (sorted.some((k, i) => i > 0 && k.key === sorted[i - 1]?.key)) throw new Error('Throttle keys must be distinct')

  return retryOnDeadlock(() => lockedClaim(db, sorted, now))
}

async function lockedClaim(db: Db, sorted: readonly ThrottleKey[], now: number): Promise<ThrottleDecision> {
  return db.transaction().execute(async (trx) => {
    // The upsert takes the row lock on PostgreSQL (the write lock on SQLite) and returns the
    // latest committed row, so the check and the write below cannot interleave with another
    // claim. Locking in key order keeps two claims from waiting on each other.
    const states = new Map<string, ThrottleState>()
    for (const k of sorted) {
      const row = await trx
        .insertInto('throttle')
        .values({ key: k.key, failures: 0, lastFailureAt: 0, expiresAt: 0 })
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ failures: eb.ref('throttle.failures') })))
        .returning(['failures', 'lastFailureAt', 'expiresAt'])
        .executeTakeFirstOrThrow()
      states.set(k.key, { failures: row.failures, lastFailureAt: row.lastFailureAt, expiresAt: row.expiresAt })
    }
    const stateOf = (key: string) => states.get(key) ?? { failures: 0, lastFailureAt: 0, expiresAt: 0 }

    const wait = Math.max(...sorted.map((k) => throttleWaitMs(stateOf(k.key), k.limits, now)))
    if (wait > 0) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) }

    const claimed: ClaimedKey[] = []
    for (const k of sorted) {
      const previous = stateOf(k.key)
      const gate = k.countOnlyWhileFreeOn && sorted.find((g) => g.key === k.countOnlyWhileFreeOn)
      const counted = !gate || liveFailures(stateOf(gate.key), now) < gate.limits.free
      if (counted)
        await trx
          .updateTable('throttle')
          .set({
            failures: liveFailures(previous, now) + 1,
            lastFailureAt: now,
            expiresAt: now + k.limits.forgetAfterMs,
          })
          .where('key', '=', k.key)
          .execute()
      claimed.push({ key: k.key, counted, resetOnSuccess: k.resetOnSuccess === true, at: now, previous })
    }
    return { allowed: true, ticket: { keys: claimed } }
  })
}

/**
 * Settles a claimed attempt. A failure was already counted by the claim; a success gives its
 * count back (and forgets keys marked `resetOnSuccess`), so successful attempts never add up.
 */
export async function settleAttempt(db: Db, ticket: ThrottleTicket, ok: boolean): Promise<void> {
  if (!ok) return
  await retryOnDeadlock(() => refund(db, ticket))
}

async function refund(db: Db, ticket: ThrottleTicket): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const k of ticket.keys) {
      if (k.resetOnSuccess) {
        await trx
          .updateTable('throttle')
          .set({ failures: 0, lastFailureAt: 0, expiresAt: 0 })
          .where('key', '=', k.key)
          .execute()
        continue
      }
      if (!k.counted) continue
      // Other attempts may have failed on the key since the claim: take back one failure, and
      // the time of the last one only if it is still this claim's.
      await trx
        .updateTable('throttle')
        .set((eb) => ({
          failures: eb
            .case()
            .when('failures', '>', 0)
            .then(eb('failures', '-', 1))
            .else(0)
            .end(),
          lastFailureAt: eb
            .case()
            .when('lastFailureAt', '=', k.at)
            .then(k.previous.lastFailureAt)
            .else(eb.ref('lastFailureAt'))
            .end(),
          expiresAt: eb
            .case()
            .when('lastFailureAt', '=', k.at)
            .then(k.previous.expiresAt)
            .else(eb.ref('expiresAt'))
            .end(),
        }))
        .where('key', '=', k.key)
        .execute()
    }
  })
}

/**
 * Runs `fn` again when PostgreSQL aborted it as one of two transactions waiting on each other:
 * claims lock in key order, but the sweep's DELETE locks rows in whatever order it finds them.
 */
async function retryOnDeadlock<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      if (attempt >= 3 || (err as { code?: string }).code !== '40P01') throw err
    }
  }
}

/** Deletes keys forgiven by `now`; for the periodic sweep. Claims never depend on it having run. */
export async function deleteExpiredThrottleKeys(db: Db, now: number): Promise<number> {
  const r = await db.deleteFrom('throttle').where('expiresAt', '<=', now).executeTakeFirst()
  return Number(r.numDeletedRows)
}

/**
 * How long an attempt on `key` must still wait, read without claiming anything; for checks whose
 * guesses are worthless one by one (256-bit tokens), where only failures need counting.
 */
export async function readThrottleWaitMs(db: Db, key: string, limits: ThrottleLimits, now: number): Promise<number> {
  const row = await db
    .selectFrom('throttle')
    .select(['failures', 'lastFailureAt', 'expiresAt'])
    .where('key', '=', key)
    .executeTakeFirst()
  return row ? throttleWaitMs(row, limits, now) : 0
}
