/** A rule's protocol and ports read as people say them. */
import { expect, test } from 'vitest'
import { formatRuleTraffic } from './formatRuleTraffic.ts'

test.each([
  [null, null, 'Any protocol'],
  ['tcp', null, 'TCP'],
  ['udp', '53', 'UDP 53'],
  [null, '8000-8080', 'TCP/UDP 8000-8080'],
] as const)('%s %s → %s', (protocol, ports, text) => {
  expect(formatRuleTraffic({ protocol, ports })).toBe(text)
})
