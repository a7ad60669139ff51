/**
 * Builds a `Topology` in network namespaces and veth pairs, and finds and removes what of it
 * exists, also after a run that failed halfway.
 */
import { inNamespace, run, tryRun } from './run.ts'
import type { Link, Topology } from './topology.ts'

const ipIn = (ns: string | null) => (ns ? ['ip', '-n', ns] : ['ip'])

/** Creates the root-namespace end (if any) first, with its peer made directly in the other namespace. */
function vethArgv({ a, b }: Link): string[] {
  const [here, there] = b.ns === null ? [b, a] : [a, b]
  return [
    ...ipIn(here.ns),
    'link',
    'add',
    here.ifname,
    'type',
    'veth',
    'peer',
    'name',
    there.ifname,
    ...(there.ns ? ['netns', there.ns] : []),
  ]
}

export async function createTopology(t: Topology): Promise<void> {
  for (const ns of t.namespaces) {
    await run(['ip', 'netns', 'add', ns])
    await run([...ipIn(ns), 'link', 'set', 'lo', 'up'])
  }
  for (const s of t.sysctls) await run(inNamespace(s.ns, ['sysctl', '-qw', `${s.key}=${s.value}`]))
  for (const link of t.links) {
    await run(vethArgv(link))
    for (const end of [link.a, link.b]) {
      await run([...ipIn(end.ns), 'addr', 'add', end.address, 'dev', end.ifname])
      await run([...ipIn(end.ns), 'link', 'set', end.ifname, 'up'])
    }
  }
  for (const r of t.routes) await run([...ipIn(r.ns), 'route', 'add', r.to, 'via', r.via])
  for (const r of t.rulesets) await run(inNamespace(r.ns, ['nft', '-f', '-']), { stdin: r.text })
}

/**
 * The topology's namespaces that exist now, including leftovers of an earlier run. Matched by
 * exact name, not by the `ww-` prefix alone: other tests here (the linux driver's, `ww-drv-…`)
 * use the same prefix, and `down` must never take their namespaces.
 */
export async function existingNamespaces(t: Topology): Promise<string[]> {
  const out = await run(['ip', '-j', 'netns', 'list'])
  const names = new Set((out.trim() ? (JSON.parse(out) as { name: string }[]) : []).map((n) => n.name))
  return t.namespaces.filter((ns) => names.has(ns))
}

/** Pids of every process in a namespace (agents, echo servers, wireguard-go daemons). */
export async function namespacePids(ns: string): Promise<number[]> {
  const out = await run(['ip', 'netns', 'pids', ns]).catch(() => '')
  return out
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((p) => Number.isInteger(p) && p > 0)
}

export async function deleteNamespace(ns: string): Promise<void> {
  await tryRun(['ip', 'netns', 'del', ns])
}

/** The topology's interfaces in the root namespace that exist now; deleting one deletes its peer and routes. */
export async function existingRootLinks(t: Topology): Promise<string[]> {
  const out = await run(['ip', '-j', 'link', 'show'])
  const names = new Set((JSON.parse(out) as { ifname: string }[]).map((l) => l.ifname))
  return t.links
    .flatMap((l) => [l.a, l.b])
    .filter((end) => end.ns === null && names.has(end.ifname))
    .map((end) => end.ifname)
}

export async function deleteRootLink(ifname: string): Promise<void> {
  await tryRun(['ip', 'link', 'del', ifname])
}
