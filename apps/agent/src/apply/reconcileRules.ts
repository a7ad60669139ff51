/**
 * Makes the agent's `ip rule`s match a wanted list: adds the missing ones, deletes the agent's
 * others (and duplicates). A rule is the agent's only when it sits at one of its fixed priorities
 * and points at its routing table 51820 (or is the priority-100 `suppress_prefixlength 0` rule);
 * rules at other priorities or to other tables are never touched.
 */
import type { Run } from '../exec/run.ts'
import { OUR_RULE_PRIORITIES, ROUTING_TABLE, RULE_PRIORITY } from '../render/dataplaneIds.ts'
import { canonicalPrefixed } from '../render/ipNetworks.ts'
import { type RoutingRule, ruleArgv, ruleKey } from '../render/ipRouting.ts'

/** One entry of `ip -j rule show`. */
export type IpRuleJson = Record<string, unknown>

const KNOWN = new Set([
  'priority',
  'src',
  'srclen',
  'table',
  'fwmark',
  'iif',
  'ipproto',
  'sport',
  'sport_start',
  'sport_end',
  'suppress_prefixlen',
])

/** The rule as data when it is one of the agent's; null otherwise. */
export function parseOurRule(json: IpRuleJson, family: 4 | 6): RoutingRule | null {
  const priority = json.priority
  if (typeof priority !== 'number' || !OUR_RULE_PRIORITIES.includes(priority)) return null
  const table = json.table
  const oursByTable = table === String(ROUTING_TABLE)
  const oursSuppress = priority === RULE_PRIORITY.suppressDefault && table === 'main' && json.suppress_prefixlen === 0
  if (!oursByTable && !oursSuppress) return null
  const rule: RoutingRule = { family, priority, table: oursByTable ? ROUTING_TABLE : 'main' }
  if (typeof json.src === 'string' && json.src !== 'all')
    rule.from = canonicalPrefixed(json.srclen === undefined ? json.src : `${json.src}/${json.srclen}`)
  if (typeof json.fwmark === 'string') rule.fwmark = Number.parseInt(json.fwmark, 16)
  if (typeof json.iif === 'string') rule.iif = json.iif
  if (json.ipproto === 'udp') rule.ipproto = 'udp'
  if (typeof json.sport === 'number') rule.sport = [json.sport, json.sport]
  if (typeof json.sport_start === 'number' && typeof json.sport_end === 'number')
    rule.sport = [json.sport_start, json.sport_end]
  if (typeof json.suppress_prefixlen === 'number') rule.suppressPrefixLength = json.suppress_prefixlen
  return rule
}

/** A key that also differs for selectors this module does not model, so such rules get replaced. */
function observedKey(json: IpRuleJson, rule: RoutingRule): string {
  const extra = Object.keys(json)
    .filter((k) => !KNOWN.has(k))
    .sort()
    .map((k) => `${k}=${JSON.stringify(json[k])}`)
  return [ruleKey(rule), ...extra].join(' ')
}

export async function reconcileRules(
  run: Run,
  want: readonly RoutingRule[],
  families: readonly (4 | 6)[],
): Promise<void> {
  for (const family of families) {
    const observed = JSON.parse((await run(['ip', '-j', `-${family}`, 'rule', 'show'])) || '[]') as IpRuleJson[]
    const wantHere = want.filter((r) => r.family === family)
    const wantKeys = new Set(wantHere.map(ruleKey))
    const kept = new Set<string>()
    const stale: RoutingRule[] = []
    for (const json of observed) {
      const rule = parseOurRule(json, family)
      if (!rule) continue
      const key = observedKey(json, rule)
      if (wantKeys.has(key) && !kept.has(key)) kept.add(key)
      else stale.push(rule)
    }
    for (const r of wantHere) if (!kept.has(ruleKey(r))) await run(ruleArgv(r, 'add'))
    for (const r of stale) await run(ruleArgv(r, 'del'))
  }
}
