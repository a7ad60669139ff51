/**
 * Indexes the VPN's lists need at 10,000 devices: devices in name order (the admins' list, a
 * page at a time) and rules by tunnel server (every desired state of a tunnel server reads them).
 */
import type { Kysely } from 'kysely'

export function vpnIndexes() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('devices_name').on('devices').columns(['name', 'id']).execute()
      await db.schema.createIndex('rules_tunnel_server').on('rules').column('tunnel_server_id').execute()
    },
  }
}
