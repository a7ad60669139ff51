/** What the agent tells the server about its host in `register` and `hello`. */
import os from 'node:os'
import type { AgentFacts } from '@wirewarp/protocol'
import type { Driver } from './drivers/driver.ts'
import { VERSION } from './version.ts'

export async function collectAgentFacts(driver: Driver | null, publicKey: string | null): Promise<AgentFacts> {
  return {
    version: VERSION,
    // Cut to the protocol's limits: an odd kernel string must not make the server refuse us.
    hostname: os.hostname().slice(0, 255),
    os: `${os.platform()} ${os.release()}`.slice(0, 64),
    arch: os.arch().slice(0, 32),
    capabilities: driver ? await driver.capabilities() : {},
    publicKey,
  }
}
