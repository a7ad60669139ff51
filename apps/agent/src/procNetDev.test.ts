import { expect, test } from 'vitest'
import { parseProcNetDev, readProcNetDev } from './procNetDev.ts'

const SAMPLE = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  123456     789    0    0    0     0          0         0   123456     789    0    0    0     0       0          0
  eth0: 987654321 1234567  0    3    0     0          0        12 12345678   98765    0    0    0     0       0          0
   wg0:       0       0    0    0    0     0          0         0      148       2    0    1    0     0       0          0
`

test('parses the counters of every interface', () => {
  expect(parseProcNetDev(SAMPLE)).toEqual([
    { name: 'lo', rxBytes: 123456, rxPackets: 789, txBytes: 123456, txPackets: 789 },
    { name: 'eth0', rxBytes: 987654321, rxPackets: 1234567, txBytes: 12345678, txPackets: 98765 },
    { name: 'wg0', rxBytes: 0, rxPackets: 0, txBytes: 148, txPackets: 2 },
  ])
})

test('unreadable or odd input gives no interfaces', async () => {
  expect(parseProcNetDev('')).toEqual([])
  expect(parseProcNetDev('eth0: 1 2 three')).toEqual([])
  expect(await readProcNetDev('/nonexistent/net/dev')).toEqual([])
})
