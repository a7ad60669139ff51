/** What the agent tells the server about its host in `register` and `hello`. */
import os from 'node:os'
import type { AgentFacts, Capabilities, HostFacts } from '@wirewarp/protocol'
import type { Driver } from './drivers/driver.ts'
import { probeHost } from './probeHost.ts'
import { VERSION } from './version.ts'

// The protocol's bounds on capabilities: the hub refuses a hello that breaks them.
const MAX_CAPABILITIES = 64
const MAX_KEY = 64
const MAX_STRING = 256

/**
 * Capabilities cut to the protocol's bounds: long strings shortened, over-long names and
 * non-finite numbers dropped, at most 64 entries. A driver that reports an odd tool version must
 * not cost the agent its connection.
 */
function fitCapabilities(capabilities: Capabilities): Capabilities {
  const entries = Object.entries(capabilities).flatMap(([key, value]): [string, Capabilities[string]][] => {
    if (key.length > MAX_KEY) return []
    if (typeof value === 'string') return [[key, value.slice(0, MAX_STRING)]]
    if (typeof value === 'number' && !Number.isFinite(value)) return [[key, null]]
    return [[key, value]]
  })
  return Object.fromEntries(entries.slice(0, MAX_CAPABILITIES))
}

export async function collectAgentFacts(
  driver: Driver | null,
  publicKey: string | null,
  probe: () => Promise<HostFacts> = probeHost,
): Promise<AgentFacts> {
  const [capabilities, host] = await Promise.all([driver ? driver.capabilities().then(fitCapabilities) : {}, probe()])
  return {
    version: VERSION,
    // Cut to the protocol's limits: an odd kernel string must not make the server refuse us.
    hostname: os.hostname().slice(0, 255),
    os: `${os.platform()} ${os.release()}`.slice(0, 64),
    arch: os.arch().slice(0, 32),
    capabilities,
    publicKey,
    host,
  }
}
