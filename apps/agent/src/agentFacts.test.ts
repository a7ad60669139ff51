import { AgentFacts } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { collectAgentFacts } from './agentFacts.ts'
import type { Driver } from './drivers/driver.ts'
import { RecordingDriver } from './drivers/recordingDriver.ts'

test('the recording driver’s facts fit the protocol, with what this host offers', async () => {
  const facts = await collectAgentFacts(new RecordingDriver('/nonexistent'), null)
  expect(AgentFacts.safeParse(facts).error?.issues ?? []).toEqual([])
  expect(facts.capabilities).toEqual({ driver: 'recording' })
  // The real probes of the machine running the tests: whatever it has, each field is filled.
  expect(Object.keys(facts.host ?? {}).sort()).toEqual([
    'distribution',
    'init',
    'install',
    'nftables',
    'node',
    'wireguard',
  ])
  expect(facts.host?.node).toBe(process.versions.node)
})

test('host facts come from the probe, beside the driver’s capabilities', async () => {
  const host = {
    wireguard: 'userspace',
    nftables: null,
    distribution: 'Alpine Linux v3.20',
    init: 'openrc',
    install: 'bundle',
    node: '22.11.0',
  } as const
  const facts = await collectAgentFacts(null, null, async () => host)
  expect(facts).toMatchObject({ capabilities: {}, host })
})

test('capabilities a driver got wrong are cut to the protocol’s bounds, not sent to be refused', async () => {
  const many = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`cap${String(i).padStart(2, '0')}`, i]))
  const driver = {
    name: 'recording',
    capabilities: async () => ({ driver: 'x', nft: 'v'.repeat(300), [`${'k'.repeat(70)}`]: true, ...many }),
    apply: async () => {},
    diagnostics: async () => ({}),
  } satisfies Driver
  const facts = await collectAgentFacts(driver, null)
  expect(AgentFacts.safeParse(facts).error?.issues ?? []).toEqual([])
  expect(facts.capabilities.driver).toBe('x')
  expect(facts.capabilities.nft).toHaveLength(256)
  expect(Object.keys(facts.capabilities)).toHaveLength(64)
})
