/**
 * Throttles registration-token and credential guesses on /ws/agent per client address, in the
 * database (store/throttle.ts), so every server process shares the count. Ten refused tries
 * are free; after that each waits twice as long as the one before, up to 15 minutes.
 *
 * Unlike sign-in, an attempt is not claimed up front: tokens and credentials are 256-bit random,
 * so a few guesses in parallel gain nothing, while claiming would refuse the honest agents of a
 * whole site that reconnect at once from behind one NAT address after a server restart.
 */
import type { Db } from '../db/database.ts'
import type { AgentAuthGuard } from '../hub/handshake.ts'
import { claimAttempt, readThrottleWaitMs, type ThrottleLimits } from '../store/throttle.ts'
import { addressKey } from './addressKey.ts'

export const AGENT_AUTH_LIMITS: ThrottleLimits = {
  free: 10,
  baseDelayMs: 2000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 3600_000,
}

export function agentAuthThrottle(db: Db, limits: ThrottleLimits = AGENT_AUTH_LIMITS): AgentAuthGuard {
  return {
    async claim(ip) {
      const key = `agent:auth:${addressKey(ip)}`
      const wait = await readThrottleWaitMs(db, key, limits, Date.now())
      if (wait > 0) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) }
      return {
        allowed: true,
        // A refused attempt is counted as a failure; claiming after the fact records exactly that.
        settle: async (ok) => {
          if (!ok) await claimAttempt(db, [{ key, limits }], Date.now())
        },
      }
    },
  }
}
