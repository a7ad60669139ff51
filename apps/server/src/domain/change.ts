/**
 * Runs one change to the model in one transaction. The change says which agents' desired state
 * it alters (`tx.affect`); their revisions are bumped inside the transaction, so a rolled-back
 * change bumps and pushes nothing, and once it has committed the hub pushes to them.
 */
import type { Db } from '../db/database.ts'
import { fromConstraintViolation } from '../errors.ts'
import { bumpRevisions } from '../store/agents.ts'
import type { Actor } from '../store/auditLog.ts'

export interface Tx {
  readonly db: Db
  readonly actor: Actor
  /** Marks agents whose desired state this change alters; each is bumped once per change. */
  affect(agentIds: Iterable<string | null | undefined>): Promise<void>
}

export interface Committed<T> {
  value: T
  /** The agents whose desired state changed. */
  affected: string[]
}

/** Whoever pushes desired states after a commit: the hub. */
export interface StateSync {
  sync(agentIds: Iterable<string>): Promise<void>
}

export async function runChange<T>(
  /** `hub` is absent where no agent can be connected (the command line): nothing is pushed. */
  deps: { db: Db; hub?: StateSync | undefined },
  actor: Actor,
  fn: (tx: Tx) => Promise<T>,
): Promise<Committed<T>> {
  const affected = new Set<string>()
  let value: T
  try {
    value = await deps.db.transaction().execute((trx) =>
      fn({
        db: trx,
        actor,
        async affect(ids) {
          const fresh = [...ids].filter((x): x is string => typeof x === 'string' && !affected.has(x))
          await bumpRevisions(trx, fresh)
          for (const id of fresh) affected.add(id)
        },
      }),
    )
  } catch (err) {
    // What a lock did not keep out (or a path without one), the database refuses: say so plainly.
    throw fromConstraintViolation(err) ?? err
  }
  if (affected.size > 0) await deps.hub?.sync(affected)
  return { value, affected: [...affected] }
}
