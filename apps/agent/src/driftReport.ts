/**
 * Turns what a driver's drift check returned into the protocol's DriftReport: texts cleaned and
 * cut to DRIFT_LIMITS (the hub refuses a frame that breaks them), at most DRIFT_LIMITS.maxItems
 * items (the last one then says how many more there were). Pure.
 */
import { DRIFT_LIMITS, type DriftItem, type DriftReport } from '@wirewarp/protocol'
import { agentText } from './agentText.ts'
import type { DriftResult } from './drivers/driver.ts'

function cut(text: string, max: number): string {
  const clean = agentText(text)
  if (clean.length <= max) return clean
  let head = clean.slice(0, max - 1)
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1)
  return `${head}…`
}

export function driftReport(at: string, r: DriftResult): DriftReport {
  let items: DriftItem[] = r.items.map((i) => ({
    what: cut(i.what, DRIFT_LIMITS.maxText) || 'unknown',
    detail: cut(i.detail, DRIFT_LIMITS.maxText),
  }))
  if (items.length > DRIFT_LIMITS.maxItems) {
    const more = items.length - (DRIFT_LIMITS.maxItems - 1)
    items = [...items.slice(0, DRIFT_LIMITS.maxItems - 1), { what: 'more', detail: `${more} more items` }]
  }
  return {
    at,
    ok: r.error === undefined,
    items,
    ...(r.error !== undefined && { error: cut(r.error, DRIFT_LIMITS.maxError) }),
  }
}
