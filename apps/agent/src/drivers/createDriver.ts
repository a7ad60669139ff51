/** Picks the driver the config names; throws DriverUnavailable when it cannot run. */
import type { AgentConfig } from '../agentConfig.ts'
import type { Driver } from './driver.ts'
import { createLinuxDriver } from './linuxDriver.ts'
import { RecordingDriver } from './recordingDriver.ts'

export function createDriver(config: Pick<AgentConfig, 'driver' | 'stateDir'>): Driver {
  switch (config.driver) {
    case 'recording':
      return new RecordingDriver(config.stateDir)
    case 'linux':
      return createLinuxDriver()
  }
}
