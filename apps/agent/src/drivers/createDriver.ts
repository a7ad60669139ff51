/** Picks the driver the config names; throws DriverUnavailable when it cannot run here. */
import type { AgentConfig } from '../agentConfig.ts'
import { loadOrCreatePrivateKey } from '../privateKeyFile.ts'
import { type Driver, DriverUnavailable } from './driver.ts'
import { createLinuxDriver } from './linuxDriver.ts'
import { RecordingDriver } from './recordingDriver.ts'

export function createDriver(config: Pick<AgentConfig, 'driver' | 'stateDir'>): Driver {
  switch (config.driver) {
    case 'recording':
      return new RecordingDriver(config.stateDir)
    case 'linux':
      if (process.platform !== 'linux')
        throw new DriverUnavailable(
          `the linux driver runs only on Linux, not ${process.platform}; set driver: recording`,
        )
      return createLinuxDriver({
        stateDir: config.stateDir,
        // Read when needed rather than kept in memory: the file is the one source of the key.
        privateKey: async () => (await loadOrCreatePrivateKey(config.stateDir)).privateKey,
      })
  }
}
