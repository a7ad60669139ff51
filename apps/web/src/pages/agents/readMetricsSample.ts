/**
 * The fields of a stored metrics sample that the page shows. Samples are stored as the agent sent
 * them, so an older or newer agent may lack a field: each one is read on its own, or left out.
 */
export interface MetricsSummary {
  /** CPU busy share, 0–1. */
  cpu?: number
  memoryUsedBytes?: number
  memoryTotalBytes?: number
  load?: [number, number, number]
  uptimeSeconds?: number
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

export function readMetricsSample(sample: Record<string, unknown>): MetricsSummary {
  const load = sample.load
  return {
    cpu: num(sample.cpu),
    memoryUsedBytes: num(sample.memoryUsedBytes),
    memoryTotalBytes: num(sample.memoryTotalBytes),
    load:
      Array.isArray(load) && load.length === 3 && load.every((v) => num(v) !== undefined)
        ? (load as [number, number, number])
        : undefined,
    uptimeSeconds: num(sample.uptimeSeconds),
  }
}
