/**
 * Runs a change in one transaction and, once it has committed, pushes the new desired state to
 * the agents it touched. `touch` bumps their revisions inside the transaction, so a rolled-back
 * change bumps nothing and pushes nothing.
 */
import type { Db } from '../db/database.ts'
import { bumpRevisions } from '../store/agents.ts'
import type { AppContext } from './context.ts'

export type Touch = (agentIds: Iterable<string | null | undefined>) => Promise<void>

export async function mutate<T>(ctx: AppContext, fn: (trx: Db, touch: Touch) => Promise<T>): Promise<T> {
  const touched = new Set<string>()
  const result = await ctx.db.transaction().execute((trx) =>
    fn(trx, async (ids) => {
      const list = [...ids].filter((x): x is string => typeof x === 'string')
      await bumpRevisions(trx, list)
      for (const id of list) touched.add(id)
    }),
  )
  if (touched.size > 0) await ctx.hub.sync(touched)
  return result
}
