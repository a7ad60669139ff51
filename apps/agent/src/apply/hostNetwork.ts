/** Reads what the driver needs to know about the host's network: its addresses and the interface of its default route. */
import { z } from 'zod'
import type { Run } from '../exec/run.ts'
import { parseCommandJson } from './commandJson.ts'

// Only the fields used here; some iproute2 versions print empty `{}` entries.
const IpAddrLinks = z.array(
  z.looseObject({ addr_info: z.array(z.looseObject({ local: z.string().optional() })).optional() }),
)
const IpRoutes = z.array(z.looseObject({ dev: z.string().optional() }))

/** Every address on every interface, as `ip -j addr` reports them. */
export async function listHostAddresses(run: Run): Promise<string[]> {
  const argv = ['ip', '-j', 'addr', 'show']
  const links = parseCommandJson(argv, await run(argv), IpAddrLinks, { blank: [] })
  return links.flatMap((l) => (l.addr_info ?? []).flatMap((a) => (a.local ? [a.local] : [])))
}

/** The interface of the IPv4 default route (the lowest metric first, as `ip` lists them). */
export async function defaultRouteInterface(run: Run): Promise<string> {
  const argv = ['ip', '-j', '-4', 'route', 'show', 'default']
  const routes = parseCommandJson(argv, await run(argv), IpRoutes, { blank: [] })
  const dev = routes.find((r) => r.dev)?.dev
  if (!dev)
    throw new Error(
      'cannot tell the public interface: this host has no IPv4 default route. Set the server’s public interface in the dashboard.',
    )
  return dev
}
