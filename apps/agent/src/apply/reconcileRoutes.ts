/**
 * Makes the agent's routes in one routing table match a wanted list: adds the missing ones with
 * `ip route replace`, deletes the agent's others. Only routes marked `proto 87` are the agent's;
 * every other route is left alone.
 */
import { z } from 'zod'
import { CommandFailed, type Run } from '../exec/run.ts'
import { ROUTE_PROTOCOL } from '../render/dataplaneIds.ts'
import { canonicalPrefixed } from '../render/ipNetworks.ts'
import { type Route, routeArgv, routeKey } from '../render/ipRouting.ts'
import { parseCommandJson } from './commandJson.ts'

/** `ip -j route show`: the fields used here. */
const IpRoutes = z.array(
  z.looseObject({ dst: z.string().optional(), dev: z.string().optional(), protocol: z.string().optional() }),
)

/** The agent's routes in `table`, as `ip -j route show` reports them. */
export async function listOurRoutes(run: Run, family: 4 | 6, table: 'main' | number): Promise<Route[]> {
  const argv = ['ip', '-j', `-${family}`, 'route', 'show', 'table', String(table), 'proto', String(ROUTE_PROTOCOL)]
  let text: string
  try {
    text = await run(argv)
  } catch (err) {
    // A table with no routes left does not exist for the kernel.
    if (err instanceof CommandFailed && /table does not exist/i.test(err.stderr)) return []
    throw err
  }
  const routes = parseCommandJson(argv, text, IpRoutes, { blank: [] })
  return routes.flatMap((r) => {
    // Filtered by proto above; older iproute2 versions ignore the filter in JSON output.
    if (r.protocol !== undefined && r.protocol !== String(ROUTE_PROTOCOL)) return []
    if (!r.dst || !r.dev) return []
    return [{ family, dst: r.dst === 'default' ? 'default' : canonicalPrefixed(r.dst), dev: r.dev, table }]
  })
}

export async function reconcileRoutes(
  run: Run,
  want: readonly Route[],
  scope: { table: 'main' | number; families: readonly (4 | 6)[] },
): Promise<void> {
  for (const family of scope.families) {
    const have = await listOurRoutes(run, family, scope.table)
    const haveKeys = new Set(have.map(routeKey))
    const wantHere = want.filter((r) => r.family === family && r.table === scope.table)
    const wantKeys = new Set(wantHere.map(routeKey))
    // Deletes first: `replace` of a network that moved to another device would already remove
    // the old route, and deleting it afterwards would fail.
    for (const r of have) if (!wantKeys.has(routeKey(r))) await run(routeArgv(r, 'del'))
    for (const r of wantHere) if (!haveKeys.has(routeKey(r))) await run(routeArgv(r, 'replace'))
  }
}
