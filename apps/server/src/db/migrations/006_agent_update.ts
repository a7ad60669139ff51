/**
 * Agent self-update: whether an agent is held at its version, and its last update (sent, confirmed,
 * rolled back or refused) as columns, so that claiming an agent for an update is one conditional
 * UPDATE that two servers on one database cannot both win.
 */
import type { Kysely } from 'kysely'
import type { Dialect } from '../database.ts'

export function agentUpdate(dialect: Dialect) {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text'
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('agents')
        .addColumn('hold_version', 'boolean', (c) => c.notNull().defaultTo(false))
        .execute()
      // All null until the agent's first update.
      await db.schema.alterTable('agents').addColumn('update_state', 'text').execute()
      await db.schema.alterTable('agents').addColumn('update_from', 'text').execute()
      await db.schema.alterTable('agents').addColumn('update_to', 'text').execute()
      await db.schema.alterTable('agents').addColumn('update_reason', 'text').execute()
      await db.schema.alterTable('agents').addColumn('update_at', ts).execute()
    },
  }
}
