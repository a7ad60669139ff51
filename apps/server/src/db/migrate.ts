/** Applies the TypeScript migrations in order; safe to run on every start. */
import { type Migration, type MigrationProvider, Migrator } from 'kysely'
import type { Db, Dialect } from './database.ts'
import { initial } from './migrations/001_initial.ts'
import { forwardRevision } from './migrations/002_forward_revision.ts'
import { loginThrottle } from './migrations/003_login_throttle.ts'
import { coreIntegrity } from './migrations/004_core_integrity.ts'
import { agentHost } from './migrations/005_agent_host.ts'
import { agentUpdate } from './migrations/006_agent_update.ts'
import { devices } from './migrations/007_devices.ts'
import { drift } from './migrations/008_drift.ts'
import { vpnIndexes } from './migrations/009_vpn_indexes.ts'

class StaticMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    // Names sort in apply order; never rename or edit one that has shipped.
    return {
      '001_initial': initial(this.dialect),
      '002_forward_revision': forwardRevision(),
      '003_login_throttle': loginThrottle(),
      '004_core_integrity': coreIntegrity(this.dialect),
      '005_agent_host': agentHost(this.dialect),
      '006_agent_update': agentUpdate(this.dialect),
      '007_devices': devices(this.dialect),
      '008_drift': drift(this.dialect),
      '009_vpn_indexes': vpnIndexes(),
    }
  }
}

export async function migrate(db: Db, dialect: Dialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrations(dialect) })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    throw new Error(`Database migration ${failed ?? ''} failed: ${(error as Error).message}`, { cause: error })
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
