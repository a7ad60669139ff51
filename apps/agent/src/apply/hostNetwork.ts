/** Reads what the driver needs to know about the host's network: its addresses and the interface of its default route. */
import type { Run } from '../exec/run.ts'

/** Every address on every interface, as `ip -j addr` reports them. */
export async function listHostAddresses(run: Run): Promise<string[]> {
  const links = JSON.parse((await run(['ip', '-j', 'addr', 'show'])) || '[]') as {
    addr_info?: { local?: string }[]
  }[]
  return links.flatMap((l) => (l.addr_info ?? []).flatMap((a) => (a.local ? [a.local] : [])))
}

/** The interface of the IPv4 default route (the lowest metric first, as `ip` lists them). */
export async function defaultRouteInterface(run: Run): Promise<string> {
  const routes = JSON.parse((await run(['ip', '-j', '-4', 'route', 'show', 'default'])) || '[]') as { dev?: string }[]
  const dev = routes.find((r) => r.dev)?.dev
  if (!dev)
    throw new Error(
      'cannot tell the public interface: this host has no IPv4 default route. Set the server’s public interface in the dashboard.',
    )
  return dev
}
