/**
 * Creates the WireGuard interface when it is missing: a kernel interface when
 * `ip link add NAME type wireguard` works, else wireguard-go (userspace). Which one worked is
 * remembered by the caller, so later creations go straight to it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { CommandFailed, type Run } from '../exec/run.ts'
import { parseCommandJson } from './commandJson.ts'

export type WireguardKind = 'kernel' | 'userspace'

/** `ip -j -d link show`: the fields used here. */
const IpLink = z.looseObject({
  ifname: z.string().optional(),
  linkinfo: z.looseObject({ info_kind: z.string().optional() }).optional(),
})
type IpLink = z.infer<typeof IpLink>

/** The link as `ip -j -d link show` reports it; null when there is none by that name. */
export async function showLink(run: Run, name: string): Promise<IpLink | null> {
  const argv = ['ip', '-j', '-d', 'link', 'show', 'dev', name]
  let text: string
  try {
    text = await run(argv)
  } catch (err) {
    if (err instanceof CommandFailed && /does not exist/.test(err.stderr)) return null
    throw err
  }
  const links = parseCommandJson(argv, text, z.array(IpLink))
  return links.find((l) => l.ifname === name) ?? links[0] ?? null
}

/** Names of the WireGuard interfaces `wg` can reach (kernel ones, and userspace ones by their socket). */
export async function wireguardInterfaces(run: Run): Promise<string[]> {
  return (await run(['wg', 'show', 'interfaces'])).split(/\s+/).filter(Boolean)
}

/**
 * Makes sure `name` is a WireGuard interface and says which kind it is. `known` is the kind that
 * worked before in this process (null: try the kernel first).
 */
export async function ensureWgInterface(run: Run, name: string, known: WireguardKind | null): Promise<WireguardKind> {
  const link = await showLink(run, name)
  if (link) {
    if (!(await wireguardInterfaces(run)).includes(name))
      throw new Error(
        `the interface ${name} exists but is not a WireGuard interface the agent can reach; remove it or choose another interface name`,
      )
    return link.linkinfo?.info_kind === 'wireguard' ? 'kernel' : 'userspace'
  }
  let kernelError = ''
  if (known !== 'userspace') {
    try {
      await run(['ip', 'link', 'add', name, 'type', 'wireguard'])
      return 'kernel'
    } catch (err) {
      if (!(err instanceof CommandFailed) || known === 'kernel') throw err
      kernelError = err.message
    }
  }
  try {
    // wireguard-go forks a daemon and returns; the daemon's stdio stays on /dev/null unless
    // LOG_LEVEL is set, which would hold our pipes (and this call) open for its lifetime.
    // `setsid`: a signal to the agent's process group (Ctrl-C, `timeout`) must not take the
    // tunnel down with it; like a kernel interface, it lives until teardown deletes the link.
    await run(['setsid', 'wireguard-go', name], { env: { LOG_LEVEL: undefined, WG_PROCESS_FOREGROUND: undefined } })
  } catch (err) {
    if (err instanceof CommandFailed && kernelError)
      throw new Error(`cannot create the WireGuard interface ${name}: ${kernelError}; and ${err.message}`)
    throw err
  }
  // The control socket is normally there when the parent exits; allow it a moment otherwise.
  for (let i = 0; i < 40; i++) {
    if ((await wireguardInterfaces(run)).includes(name)) return 'userspace'
    await sleep(50)
  }
  throw new Error(`wireguard-go ${name} started but its control socket did not appear in /var/run/wireguard`)
}
