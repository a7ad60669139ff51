/**
 * The tunnel model and its accounts. Constraints live here too: unique emails, one forward per
 * server/protocol/port, and cascade rules chosen per relation (see the comments on each).
 */
import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../database.ts'

export function initial(dialect: Dialect) {
  // PostgreSQL keeps real timestamps; SQLite compares ISO 8601 text, which sorts the same way.
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text'
  const autoId = dialect === 'postgres' ? 'bigserial' : 'integer'

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'user')`))
        .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addColumn('last_login_at', ts)
        .execute()

      // Sessions and tokens die with their user.
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('last_seen_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute()
      await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute()

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts)
        .addColumn('last_used_at', ts)
        .addColumn('revoked_at', ts)
        .execute()
      await db.schema.createIndex('api_tokens_user_id').on('api_tokens').column('user_id').execute()

      await db.schema
        .createTable('agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('server', 'client')`))
        .addColumn('status', 'text', (c) =>
          c.notNull().defaultTo('pending').check(sql`status in ('pending', 'connected', 'disconnected')`),
        )
        .addColumn('hostname', 'text')
        .addColumn('version', 'text')
        .addColumn('os', 'text')
        .addColumn('arch', 'text')
        .addColumn('public_ip', 'text')
        .addColumn('capabilities', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('credential_hash', 'text', (c) => c.unique())
        .addColumn('desired_revision', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('applied_revision', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_apply_error', 'text')
        .addColumn('last_applied_at', ts)
        .addColumn('last_seen_at', ts)
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute()

      // A tunnel server is the agent's server-mode half: it goes when the agent goes.
      await db.schema
        .createTable('tunnel_servers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull().unique().references('agents.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('public_ip', 'text')
        .addColumn('public_interface', 'text')
        .addColumn('wg_port', 'integer', (c) => c.notNull().check(sql`wg_port between 1 and 65535`))
        .addColumn('wg_interface', 'text', (c) => c.notNull())
        .addColumn('wg_public_key', 'text')
        .addColumn('tunnel_network_v4', 'text', (c) => c.notNull())
        .addColumn('tunnel_network_v6', 'text')
        .addColumn('mtu', 'integer', (c) => c.notNull().check(sql`mtu between 1280 and 9000`))
        .addColumn('dns', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute()

      // Deleting a tunnel server detaches its clients (they keep their agent and settings)
      // rather than deleting them; the forwards through it do go (below).
      await db.schema
        .createTable('tunnel_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull().unique().references('agents.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('tunnel_server_id', 'text', (c) => c.references('tunnel_servers.id').onDelete('set null'))
        .addColumn('tunnel_ip', 'text')
        .addColumn('wg_public_key', 'text')
        .addColumn('is_gateway', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('lan_networks', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('lan_ip', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addUniqueConstraint('tunnel_clients_server_ip', ['tunnel_server_id', 'tunnel_ip'])
        .execute()

      await db.schema
        .createTable('registration_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('server', 'client')`))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('tunnel_server_id', 'text', (c) => c.references('tunnel_servers.id').onDelete('cascade'))
        .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .addColumn('used_at', ts)
        .addColumn('used_by_agent_id', 'text', (c) => c.references('agents.id').onDelete('set null'))
        .addColumn('revoked_at', ts)
        .execute()

      // A forward needs both ends: it goes with its server or its client.
      await db.schema
        .createTable('port_forwards')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tunnel_server_id', 'text', (c) => c.notNull().references('tunnel_servers.id').onDelete('cascade'))
        .addColumn('tunnel_client_id', 'text', (c) => c.notNull().references('tunnel_clients.id').onDelete('cascade'))
        .addColumn('protocol', 'text', (c) => c.notNull().check(sql`protocol in ('tcp', 'udp', 'both')`))
        .addColumn('public_port', 'integer', (c) => c.notNull().check(sql`public_port between 1 and 65535`))
        .addColumn('public_port_end', 'integer', (c) =>
          c.check(sql`public_port_end is null or (public_port_end between public_port and 65535)`),
        )
        .addColumn('destination_ip', 'text', (c) => c.notNull())
        .addColumn('destination_port', 'integer', (c) => c.notNull().check(sql`destination_port between 1 and 65535`))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('preserve_client_ip', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addUniqueConstraint('port_forwards_server_protocol_port', ['tunnel_server_id', 'protocol', 'public_port'])
        .execute()
      await db.schema.createIndex('port_forwards_client').on('port_forwards').column('tunnel_client_id').execute()

      await db.schema
        .createTable('service_templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('builtin', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('ports', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('command_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addColumn('command', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'success', 'failed', 'timeout')`),
        )
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('requested_by', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('finished_at', ts)
        .execute()
      await db.schema.createIndex('command_log_agent').on('command_log').columns(['agent_id', 'created_at']).execute()

      await db.schema
        .createTable('metrics')
        .addColumn('id', autoId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addColumn('at', ts, (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('metrics_agent_at').on('metrics').columns(['agent_id', 'at']).execute()

      // The audit log outlives whoever acted: actor ids are plain text, not foreign keys.
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', ts, (c) => c.notNull())
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_email', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text')
        .addColumn('target_id', 'text')
        .addColumn('summary', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute()
      await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute()

      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute()
    },
  }
}
