/**
 * What an agent's host offers (WireGuard kind, nftables, distribution, init system, how the agent
 * is installed), as JSON from its hello, and when the agent uninstalled itself.
 */
import type { Kysely } from 'kysely'
import type { Dialect } from '../database.ts'

export function agentHost(dialect: Dialect) {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text'
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Null: an older agent (0.1.0) says nothing about its host.
      await db.schema.alterTable('agents').addColumn('host', 'text').execute()
      await db.schema.alterTable('agents').addColumn('uninstalled_at', ts).execute()
    },
  }
}
