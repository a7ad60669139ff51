/** Password hashing with argon2id; verification of unknown accounts costs the same as of known ones. */
import { hash, verify } from '@node-rs/argon2'

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): about 20–40 ms on a small VPS core.
const OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum, not importable under isolatedModules) */,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS)
}

let dummyHash: Promise<string> | undefined

/**
 * Verifies `password` against `passwordHash`, or against a throwaway hash when there is no
 * account, so that "no such email" and "wrong password" take the same time.
 */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  dummyHash ??= hash('not-a-real-password-for-timing', OPTIONS)
  const target = passwordHash ?? (await dummyHash)
  try {
    const ok = await verify(target, password)
    return ok && passwordHash !== undefined
  } catch {
    return false
  }
}
