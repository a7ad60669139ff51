/**
 * Throttle counters shared by every server process on one database: failures per key (an
 * address, an address and an account, an account, a device), with epoch-millisecond times.
 */
import type { Kysely } from 'kysely'

export function loginThrottle() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Epoch milliseconds rather than timestamps: the back-off is arithmetic on them, the same
      // on both dialects and free of time zones. bigint is read back as a number (database.ts).
      await db.schema
        .createTable('throttle')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_failure_at', 'bigint', (c) => c.notNull().defaultTo(0))
        // When the key is forgiven (and its row may be swept) if nothing fails on it meanwhile.
        .addColumn('expires_at', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.schema.createIndex('throttle_expires_at').on('throttle').column('expires_at').execute()
    },
  }
}
