/**
 * `ip rule` and `ip route` entries as data, and the argv words that say them. Pure: renderers
 * produce these, appliers compare them with what `ip -j` reports and run the words.
 */
import { ROUTE_PROTOCOL } from './dataplaneIds.ts'

export interface RoutingRule {
  family: 4 | 6
  priority: number
  /** A network in canonical form (`192.168.78.0/24`). */
  from?: string
  fwmark?: number
  iif?: string
  ipproto?: 'udp'
  /** Source ports, first and last (equal for one port). */
  sport?: readonly [number, number]
  table: 'main' | number
  suppressPrefixLength?: number
}

export interface Route {
  family: 4 | 6
  /** `default` or a network in canonical form. */
  dst: string
  dev: string
  table: 'main' | number
}

/** The words after `ip -4 rule add|del` that select exactly this rule. */
export function ruleArgs(r: RoutingRule): string[] {
  const args = ['priority', String(r.priority)]
  if (r.from !== undefined) args.push('from', r.from)
  if (r.fwmark !== undefined) args.push('fwmark', `0x${r.fwmark.toString(16)}`)
  if (r.iif !== undefined) args.push('iif', r.iif)
  if (r.ipproto !== undefined) args.push('ipproto', r.ipproto)
  if (r.sport !== undefined)
    args.push('sport', r.sport[0] === r.sport[1] ? `${r.sport[0]}` : `${r.sport[0]}-${r.sport[1]}`)
  args.push('lookup', String(r.table))
  if (r.suppressPrefixLength !== undefined) args.push('suppress_prefixlength', String(r.suppressPrefixLength))
  return args
}

/** Identity for comparing a wanted rule with one `ip -j rule` reports. */
export function ruleKey(r: RoutingRule): string {
  return `-${r.family} ${ruleArgs(r).join(' ')}`
}

/** The words after `ip -4 route replace|del`; `proto` marks the route as the agent's. */
export function routeArgs(r: Route): string[] {
  return [r.dst, 'dev', r.dev, 'table', String(r.table), 'proto', String(ROUTE_PROTOCOL)]
}

export function routeKey(r: Route): string {
  return `-${r.family} ${r.dst} dev ${r.dev} table ${r.table}`
}

export function ruleArgv(r: RoutingRule, action: 'add' | 'del'): string[] {
  return ['ip', `-${r.family}`, 'rule', action, ...ruleArgs(r)]
}

export function routeArgv(r: Route, action: 'replace' | 'del'): string[] {
  return ['ip', `-${r.family}`, 'route', action, ...routeArgs(r)]
}
