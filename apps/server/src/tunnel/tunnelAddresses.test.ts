import { expect, test } from 'vitest'
import { allocateTunnelIp, serverTunnelIp, tunnelIpProblem } from './tunnelAddresses.ts'

test('the server takes the first host, clients the next free ones', () => {
  expect(serverTunnelIp('10.99.0.0/24')).toBe('10.99.0.1')
  expect(allocateTunnelIp('10.99.0.0/24', new Set())).toBe('10.99.0.2')
  expect(allocateTunnelIp('10.99.0.0/24', new Set(['10.99.0.2', '10.99.0.4']))).toBe('10.99.0.3')
})

test('a full network allocates nothing', () => {
  // /30: .0 network, .1 server, .2 client, .3 broadcast.
  expect(allocateTunnelIp('10.0.0.0/30', new Set(['10.0.0.2']))).toBeNull()
  expect(allocateTunnelIp('10.0.0.0/30', new Set())).toBe('10.0.0.2')
})

test('addresses that cannot be a client’s are explained', () => {
  const used = new Set(['10.99.0.5'])
  expect(tunnelIpProblem('10.99.0.0/24', '10.99.0.7', used)).toBeNull()
  expect(tunnelIpProblem('10.99.0.0/24', '10.99.0.1', used)).toMatch(/server's own/)
  expect(tunnelIpProblem('10.99.0.0/24', '10.99.0.5', used)).toMatch(/already used/)
  expect(tunnelIpProblem('10.99.0.0/24', '10.99.0.0', used)).toMatch(/inside/)
  expect(tunnelIpProblem('10.99.0.0/24', '10.99.0.255', used)).toMatch(/inside/)
  expect(tunnelIpProblem('10.99.0.0/24', '10.98.0.7', used)).toMatch(/inside/)
  expect(tunnelIpProblem('10.99.0.0/24', 'fd00::7', used)).toMatch(/IPv4/)
})
