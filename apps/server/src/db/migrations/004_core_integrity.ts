/**
 * Rules the database itself enforces, so that parallel requests cannot break them: the server
 * epoch, named locks, one registry of WireGuard keys, case-insensitive template names and, on
 * PostgreSQL, an exclusion constraint that refuses overlapping port forwards.
 */
import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../database.ts'

export function coreIntegrity(dialect: Dialect) {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text'
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const now = new Date().toISOString()

      // A new database starts a new epoch; within one, desired revisions only grow.
      await sql`insert into settings (key, value, updated_at) values ('epoch', ${randomUUID()}, ${now})`.execute(db)

      // Transactions that must take turns update one of these rows first: an UPDATE takes a row
      // lock on PostgreSQL and the write lock on SQLite, so both databases serialise them.
      await db.schema
        .createTable('locks')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
      await sql`insert into locks (name, n) values ('users', 0)`.execute(db)

      await db.schema
        .alterTable('agents')
        .addColumn('applied_epoch', 'text', (c) => c.notNull().defaultTo(''))
        .execute()
      await db.schema
        .alterTable('agents')
        .addColumn('commands', 'text', (c) => c.notNull().defaultTo('["ping","diagnostics","restart"]'))
        .execute()
      await db.schema.alterTable('agents').addColumn('key_conflict', 'text').execute()

      // One owner per key, whoever the owner is (tunnel servers, tunnel clients; users' devices
      // next). The owners' columns cascade, so a deleted peer frees its key.
      await db.schema
        .createTable('wireguard_keys')
        .addColumn('public_key', 'text', (c) => c.primaryKey())
        .addColumn('tunnel_server_id', 'text', (c) => c.unique().references('tunnel_servers.id').onDelete('cascade'))
        .addColumn('tunnel_client_id', 'text', (c) => c.unique().references('tunnel_clients.id').onDelete('cascade'))
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute()
      // Keys already in use: the first owner keeps a key that two rows claim; the other forgets it
      // and claims it again (and is refused) when its agent next says hello.
      await sql`insert into wireguard_keys (public_key, tunnel_server_id, tunnel_client_id, created_at)
        select wg_public_key, id, null, created_at from tunnel_servers where wg_public_key is not null
        on conflict do nothing`.execute(db)
      await sql`insert into wireguard_keys (public_key, tunnel_server_id, tunnel_client_id, created_at)
        select wg_public_key, null, id, created_at from tunnel_clients where wg_public_key is not null
        on conflict do nothing`.execute(db)
      await sql`update tunnel_servers set wg_public_key = null where wg_public_key is not null and id not in
        (select tunnel_server_id from wireguard_keys where tunnel_server_id is not null)`.execute(db)
      await sql`update tunnel_clients set wg_public_key = null where wg_public_key is not null and id not in
        (select tunnel_client_id from wireguard_keys where tunnel_client_id is not null)`.execute(db)

      // "dayz" must not stand beside "DayZ", also when both are created at the same moment.
      await db.schema
        .createIndex('service_templates_name_ci')
        .on('service_templates')
        .unique()
        .expression(sql`lower(name)`)
        .execute()

      if (dialect === 'postgres') {
        // The forwards of one server must not overlap: "both" takes tcp and udp, so protocols map
        // to ranges (tcp [0,0], udp [1,1], both [0,1]) that overlap exactly when they collide.
        // btree_gist (a trusted extension: the database owner may create it) gives GiST the "="
        // on the server id.
        await sql`create extension if not exists btree_gist`.execute(db)
        await sql`alter table port_forwards add constraint port_forwards_no_overlap exclude using gist (
          tunnel_server_id with =,
          int4range(case when protocol = 'udp' then 1 else 0 end, case when protocol = 'tcp' then 0 else 1 end, '[]') with &&,
          int4range(public_port, coalesce(public_port_end, public_port), '[]') with &&
        )`.execute(db)
      }
    },
  }
}
