/**
 * Makes the agent's `ip rule`s match a wanted list: adds the missing ones, deletes the agent's
 * others (and duplicates). A rule is the agent's only when it sits at one of its fixed priorities
 * and points at its routing table 51820 (or is the priority-100 `suppress_prefixlength 0` rule);
 * rules at other priorities or to other tables are never touched.
 */
import { z } from 'zod'
import type { Run } from '../exec/run.ts'
import { OUR_RULE_PRIORITIES, ROUTING_TABLE, RULE_PRIORITY } from '../render/dataplaneIds.ts'
import { canonicalPrefixed } from '../render/ipNetworks.ts'
import { type RoutingRule, ruleArgv, ruleKey } from '../render/ipRouting.ts'
import { parseCommandJson } from './commandJson.ts'

/** One entry of `ip -j rule show` (iproute2's types); other fields pass through and count in observedKey. */
const IpRuleJson = z.looseObject({
  priority: z.number().optional(),
  src: z.string().optional(),
  srclen: z.number().optional(),
  table: z.string().optional(),
  fwmark: z.string().optional(),
  iif: z.string().optional(),
  ipproto: z.string().optional(),
  sport: z.number().optional(),
  sport_start: z.number().optional(),
  sport_end: z.number().optional(),
  suppress_prefixlen: z.number().optional(),
})
export type IpRuleJson = z.infer<typeof IpRuleJson>
const IpRules = z.array(IpRuleJson)

/** Every rule of one address family, as `ip -j rule show` reports them. */
export async function listRules(run: Run, family: 4 | 6): Promise<IpRuleJson[]> {
  const argv = ['ip', '-j', `-${family}`, 'rule', 'show']
  return parseCommandJson(argv, await run(argv), IpRules, { blank: [] })
}

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
  if (priority === undefined || !OUR_RULE_PRIORITIES.includes(priority)) return null
  const table = json.table
  const oursByTable = table === String(ROUTING_TABLE)
  const oursSuppress = priority === RULE_PRIORITY.suppressDefault && table === 'main' && json.suppress_prefixlen === 0
  if (!oursByTable && !oursSuppress) return null
  const rule: RoutingRule = { family, priority, table: oursByTable ? ROUTING_TABLE : 'main' }
  if (json.src !== undefined && json.src !== 'all')
    rule.from = canonicalPrefixed(json.srclen === undefined ? json.src : `${json.src}/${json.srclen}`)
  if (json.fwmark !== undefined) rule.fwmark = Number.parseInt(json.fwmark, 16)
  if (json.iif !== undefined) rule.iif = json.iif
  if (json.ipproto === 'udp') rule.ipproto = 'udp'
  if (json.sport !== undefined) rule.sport = [json.sport, json.sport]
  if (json.sport_start !== undefined && json.sport_end !== undefined) rule.sport = [json.sport_start, json.sport_end]
  if (json.suppress_prefixlen !== undefined) rule.suppressPrefixLength = json.suppress_prefixlen
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
    const observed = await listRules(run, family)
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
