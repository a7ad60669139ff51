import { expect, test } from 'vitest'
import { defaultRouteAddress, loopbackUrl, publicAddressOfHost } from './localAgent.ts'

const ROUTES = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth1\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0
`
const IFACES = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
  eth0: [
    { address: '2001:db8::5', family: 'IPv6', internal: false },
    { address: '203.0.113.7', family: 'IPv4', internal: false },
  ],
  eth1: [{ address: '192.168.0.2', family: 'IPv4', internal: false }],
} as unknown as ReturnType<typeof import('node:os').networkInterfaces>

test("the default route's interface gives the address", () => {
  expect(defaultRouteAddress(ROUTES, IFACES)).toBe('203.0.113.7')
  expect(defaultRouteAddress('Iface\tDestination\n', IFACES)).toBeNull()
})

test('WIREWARP_PUBLIC_URL wins: an address as is, a name resolved and kept as the endpoint', async () => {
  expect(await publicAddressOfHost('https://198.51.100.4:8443')).toEqual({ ip: '198.51.100.4', endpointHost: null })
  expect(await publicAddressOfHost('https://[2001:db8::9]')).toEqual({ ip: '2001:db8::9', endpointHost: null })
  expect(await publicAddressOfHost('https://vpn.example.com', async () => '192.0.2.80')).toEqual({
    ip: '192.0.2.80',
    endpointHost: 'vpn.example.com',
  })
})

test('the agent reaches a wildcard-bound server on loopback', () => {
  expect(loopbackUrl('http://0.0.0.0:8080')).toBe('http://127.0.0.1:8080')
  expect(loopbackUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080')
})
