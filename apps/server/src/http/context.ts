/** What every route module is handed: the database, the configuration and shared services. */

import type { DeviceCookies } from '../auth/deviceCookie.ts'
import type { LoginThrottle } from '../auth/loginThrottle.ts'
import type { Config } from '../config.ts'
import type { Db, Dialect } from '../db/database.ts'
import type { AgentHub } from '../hub/agentHub.ts'
import type { LiveEvents } from '../hub/liveEvents.ts'
import type { ReleaseCatalogue } from '../releases/releaseCatalogue.ts'
import type { SecretBox } from '../secretBox.ts'

export interface AppContext {
  db: Db
  dialect: Dialect
  config: Config
  throttle: LoginThrottle
  /** Signs and checks the browser cookie that exempts known devices from the per-account throttle. */
  deviceCookies: DeviceCookies
  /** Seals secrets at rest (devices' preshared keys) under a key derived from the master secret. */
  secrets: SecretBox
  version: string
  hub: AgentHub
  events: LiveEvents
  /** The agent releases served at /releases/ and counted by /api/version. */
  releases: ReleaseCatalogue
}
