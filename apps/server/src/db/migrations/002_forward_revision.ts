/**
 * Remembers, per forward, the server agent's desired revision that last changed it: the forward
 * is applied once the agent has applied that revision.
 */
import type { Kysely } from 'kysely'

export function forwardRevision() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('port_forwards')
        .addColumn('changed_revision', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
    },
  }
}
