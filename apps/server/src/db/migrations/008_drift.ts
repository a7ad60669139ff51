/**
 * Drift repairs: the last one each agent reported (what it found changed on its host and put
 * back), as the JSON of the agent's report and its time, both null until the first.
 */
import type { Kysely } from 'kysely'
import type { Dialect } from '../database.ts'

export function drift(dialect: Dialect) {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text'
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('agents').addColumn('last_repair_at', ts).execute()
      await db.schema.alterTable('agents').addColumn('last_repair', 'text').execute()
    },
  }
}
