/** What every route module is handed: the database, the configuration and shared services. */

import type { LoginThrottle } from '../auth/loginThrottle.ts'
import type { Config } from '../config.ts'
import type { Db, Dialect } from '../db/database.ts'
import type { AgentHub } from '../hub/agentHub.ts'
import type { LiveEvents } from '../hub/liveEvents.ts'

export interface AppContext {
  db: Db
  dialect: Dialect
  config: Config
  throttle: LoginThrottle
  version: string
  hub: AgentHub
  events: LiveEvents
}
