import { MetricsSample } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { MetricsSampler, type SystemReader } from './metricsSampler.ts'

function fakeSystem(ticks: { busy: number; idle: number }[][]): SystemReader {
  let call = 0
  return {
    cpus: () => {
      const now = ticks[Math.min(call++, ticks.length - 1)]!
      return now.map(({ busy, idle }) => ({ times: { user: busy, nice: 0, sys: 0, idle, irq: 0 } }))
    },
    totalmem: () => 8_000,
    freemem: () => 3_000,
    loadavg: () => [0.5, 0.25, 0.125],
    uptime: () => 1234,
    interfaces: async () => [{ name: 'eth0', rxBytes: 1, txBytes: 2, rxPackets: 3, txPackets: 4 }],
  }
}

test('CPU share is measured between samples, across all CPUs', async () => {
  const sampler = new MetricsSampler(
    fakeSystem([
      [
        { busy: 100, idle: 900 },
        { busy: 100, idle: 900 },
      ],
      [
        { busy: 200, idle: 900 }, // fully busy
        { busy: 100, idle: 1000 }, // idle
      ],
      [
        { busy: 200, idle: 900 },
        { busy: 100, idle: 1000 },
      ],
    ]),
  )
  const first = await sampler.sample()
  expect(first).toEqual({
    cpu: 0.5,
    memoryUsedBytes: 5_000,
    memoryTotalBytes: 8_000,
    load: [0.5, 0.25, 0.125],
    uptimeSeconds: 1234,
    interfaces: [{ name: 'eth0', rxBytes: 1, txBytes: 2, rxPackets: 3, txPackets: 4 }],
  })
  expect(MetricsSample.safeParse(first).success).toBe(true)
  expect((await sampler.sample()).cpu).toBe(0)
})

test('a real sample matches the protocol', async () => {
  const sampler = new MetricsSampler()
  expect(MetricsSample.parse(await sampler.sample())).toBeTruthy()
})

test("the driver's peers and forward counters go into the sample; a failing driver leaves them out", async () => {
  const peers = [{ publicKey: 'k', endpoint: null, latestHandshakeAt: null, rxBytes: 1, txBytes: 2 }]
  const forwards = [{ id: 'f1', packets: 3, bytes: 4 }]
  const system = fakeSystem([[{ busy: 1, idle: 1 }]])
  const withStats = await new MetricsSampler(system, async () => ({ peers, forwards })).sample()
  expect(withStats).toMatchObject({ peers, forwards })
  expect(MetricsSample.safeParse(withStats).success).toBe(true)
  const failing = await new MetricsSampler(system, async () => {
    throw new Error('wg: no such interface')
  }).sample()
  expect(failing).not.toHaveProperty('peers')
  expect(failing.interfaces).toHaveLength(1)
})
