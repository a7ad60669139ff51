/**
 * Takes the `metrics` samples the agent sends: CPU busy share since the previous sample, memory,
 * load, uptime and interface counters, plus WireGuard peers and per-forward traffic when the
 * driver reports them. Reads the system through injectable functions for tests.
 */
import os from 'node:os'
import type { MetricsSample } from '@wirewarp/protocol'
import type { DriverStats } from './drivers/driver.ts'
import { readProcNetDev } from './procNetDev.ts'

export interface SystemReader {
  cpus(): Pick<os.CpuInfo, 'times'>[]
  totalmem(): number
  freemem(): number
  loadavg(): number[]
  uptime(): number
  interfaces(): Promise<MetricsSample['interfaces']>
}

const nodeSystem: SystemReader = {
  cpus: () => os.cpus(),
  totalmem: () => os.totalmem(),
  freemem: () => os.freemem(),
  loadavg: () => os.loadavg(),
  uptime: () => os.uptime(),
  interfaces: () => readProcNetDev(),
}

interface CpuTotals {
  busy: number
  total: number
}

function cpuTotals(cpus: Pick<os.CpuInfo, 'times'>[]): CpuTotals {
  let busy = 0
  let total = 0
  for (const { times } of cpus) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq
    total += all
    busy += all - times.idle
  }
  return { busy, total }
}

export class MetricsSampler {
  private previous: CpuTotals

  constructor(
    private readonly system: SystemReader = nodeSystem,
    /** The driver's `stats`, when it has them. */
    private readonly stats?: () => Promise<DriverStats>,
  ) {
    // Taken at construction so that the first sample covers the time since then, not since boot.
    this.previous = cpuTotals(system.cpus())
  }

  async sample(): Promise<MetricsSample> {
    const current = cpuTotals(this.system.cpus())
    const dTotal = current.total - this.previous.total
    const dBusy = current.busy - this.previous.busy
    this.previous = current
    const total = this.system.totalmem()
    const [l1 = 0, l5 = 0, l15 = 0] = this.system.loadavg()
    // The host's own numbers are worth sending even when `wg` or `nft` cannot answer right now.
    const stats: DriverStats = this.stats ? await this.stats().catch(() => ({})) : {}
    return {
      // No elapsed ticks (two samples within one tick) reads as idle rather than 0/0.
      cpu: dTotal > 0 ? Math.min(1, Math.max(0, dBusy / dTotal)) : 0,
      memoryUsedBytes: Math.max(0, total - this.system.freemem()),
      memoryTotalBytes: total,
      load: [l1, l5, l15],
      uptimeSeconds: Math.max(0, this.system.uptime()),
      interfaces: await this.system.interfaces(),
      ...(stats.peers && { peers: stats.peers }),
      ...(stats.forwards && { forwards: stats.forwards }),
    }
  }
}
