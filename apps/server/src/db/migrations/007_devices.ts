/**
 * The remote-access VPN: users' devices (peers of a tunnel server, addressed in its device
 * network), firewall rules, per-device traffic and the tunnel servers' client defaults.
 *
 * A device stores its host offset, not its addresses: the addresses are the offset placed in the
 * server's device networks, so a changed or added network re-addresses every device at once and
 * v4 and v6 stay paired. The unique (server, offset) index is what parallel creates cannot pass.
 */
import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../database.ts'

export function devices(dialect: Dialect) {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text'
  // Byte counters pass 2^31 in hours; SQLite's integer is 64-bit already.
  const counter = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Client defaults: DNS is the server's existing `dns`; a null MTU is the server's MTU and a
      // null endpoint its public IP with the WireGuard port.
      await db.schema
        .alterTable('tunnel_servers')
        .addColumn('device_network_v4', 'text', (c) => c.notNull().defaultTo('100.96.0.0/16'))
        .execute()
      await db.schema.alterTable('tunnel_servers').addColumn('device_network_v6', 'text').execute()
      await db.schema.alterTable('tunnel_servers').addColumn('client_endpoint', 'text').execute()
      await db.schema
        .alterTable('tunnel_servers')
        .addColumn('client_allowed_ips', 'text', (c) => c.notNull().defaultTo('["0.0.0.0/0","::/0"]'))
        .execute()
      await db.schema
        .alterTable('tunnel_servers')
        .addColumn('client_keepalive', 'integer', (c) => c.notNull().defaultTo(25))
        .execute()
      await db.schema.alterTable('tunnel_servers').addColumn('client_mtu', 'integer').execute()

      // Devices die with their user and with their tunnel server.
      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('tunnel_server_id', 'text', (c) => c.notNull().references('tunnel_servers.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('public_key', 'text', (c) => c.notNull())
        // Sealed with the server's secret box; null: no preshared key.
        .addColumn('preshared_key', 'text')
        .addColumn('host_offset', 'integer', (c) => c.notNull())
        // Overrides of the server's client defaults; null: use the default.
        .addColumn('endpoint', 'text')
        .addColumn('dns', 'text')
        .addColumn('allowed_ips', 'text')
        .addColumn('mtu', 'integer')
        .addColumn('persistent_keepalive', 'integer')
        .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('changed_revision', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('devices_server_offset')
        .on('devices')
        .columns(['tunnel_server_id', 'host_offset'])
        .unique()
        .execute()
      await db.schema.createIndex('devices_user').on('devices').column('user_id').execute()
      // "Laptop" must not stand beside "laptop" among one user's devices.
      await db.schema
        .createIndex('devices_user_name_ci')
        .on('devices')
        .unique()
        .columns(['user_id'])
        .expression(sql`lower(name)`)
        .execute()

      // Device keys join the one registry of WireGuard keys (UNIQUE cannot be added by ALTER on SQLite).
      await db.schema
        .alterTable('wireguard_keys')
        .addColumn('device_id', 'text', (c) => c.references('devices.id').onDelete('cascade'))
        .execute()
      await db.schema.createIndex('wireguard_keys_device').on('wireguard_keys').column('device_id').unique().execute()

      // No user: the rule is everyone's; no tunnel server: it holds on every one.
      await db.schema
        .createTable('rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('accept', 'drop')`))
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('protocol', 'text', (c) => c.check(sql`protocol in ('tcp', 'udp')`))
        .addColumn('ports', 'text')
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('tunnel_server_id', 'text', (c) => c.references('tunnel_servers.id').onDelete('cascade'))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('rules_user').on('rules').column('user_id').execute()

      // The latest report per device, overwritten every stats cycle.
      await db.schema
        .createTable('device_stats')
        .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
        .addColumn('latest_handshake_at', ts)
        .addColumn('rx_bytes', counter, (c) => c.notNull().defaultTo(0))
        .addColumn('tx_bytes', counter, (c) => c.notNull().defaultTo(0))
        .addColumn('endpoint', 'text')
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute()
      // Traffic history downsampled to one row per device per bucket (the counters at its start).
      await db.schema
        .createTable('device_traffic')
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
        .addColumn('bucket', ts, (c) => c.notNull())
        .addColumn('rx_bytes', counter, (c) => c.notNull())
        .addColumn('tx_bytes', counter, (c) => c.notNull())
        .addPrimaryKeyConstraint('device_traffic_pk', ['device_id', 'bucket'])
        .execute()
      await db.schema.createIndex('device_traffic_bucket').on('device_traffic').column('bucket').execute()
    },
  }
}
