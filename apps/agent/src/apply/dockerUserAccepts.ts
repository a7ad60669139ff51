/**
 * Docker sets the iptables FORWARD policy to DROP, which would drop tunnel traffic whatever our
 * own table accepts. Where its `DOCKER-USER` chain exists, the agent inserts two accepts for the
 * WireGuard interface (`-i WG`, `-o WG`), tagged with the comment `wirewarp` so that they, and
 * only they, are removed again. Hosts without Docker or without iptables are left alone. With
 * IPv6 the same goes for ip6tables (Docker with `ip6tables` enabled drops forwarded IPv6 too,
 * e.g. VPN devices' IPv6 traffic into a site's LAN).
 */
import { CommandFailed, type Run } from '../exec/run.ts'

const CHAIN = 'DOCKER-USER'
export const DOCKER_USER_COMMENT = 'wirewarp'

type Family = 4 | 6
const TOOL = { 4: 'iptables', 6: 'ip6tables' } as const

function ruleSpec(direction: '-i' | '-o', iface: string): string[] {
  return [CHAIN, direction, iface, '-m', 'comment', '--comment', DOCKER_USER_COMMENT, '-j', 'ACCEPT']
}

/** True when iptables (ip6tables for 6) is installed and has a DOCKER-USER chain. */
export async function hasDockerUserChain(run: Run, family: Family = 4): Promise<boolean> {
  try {
    await run([TOOL[family], '-w', '5', '-S', CHAIN])
    return true
  } catch (err) {
    if (err instanceof CommandFailed) return false
    throw err
  }
}

/** `iptables -C`: exit 1 means "no such rule"; anything else is a real failure. */
async function present(run: Run, family: Family, spec: string[]): Promise<boolean> {
  try {
    await run([TOOL[family], '-w', '5', '-C', ...spec])
    return true
  } catch (err) {
    if (err instanceof CommandFailed && err.exitCode === 1) return false
    throw err
  }
}

/** True when a DOCKER-USER chain of some family was found (and has our accepts now). */
export async function addDockerUserAccepts(
  run: Run,
  iface: string,
  families: readonly Family[] = [4],
): Promise<boolean> {
  let found = false
  for (const family of families) {
    if (!(await hasDockerUserChain(run, family))) continue
    found = true
    for (const dir of ['-i', '-o'] as const) {
      const spec = ruleSpec(dir, iface)
      if (!(await present(run, family, spec))) await run([TOOL[family], '-w', '5', '-I', ...spec])
    }
  }
  return found
}

export async function removeDockerUserAccepts(
  run: Run,
  iface: string,
  families: readonly Family[] = [4],
): Promise<void> {
  for (const family of families) {
    if (!(await hasDockerUserChain(run, family))) continue
    for (const dir of ['-i', '-o'] as const) {
      const spec = ruleSpec(dir, iface)
      // A crash between -C and -I could have left two; remove every copy.
      for (let i = 0; i < 10 && (await present(run, family, spec)); i++)
        await run([TOOL[family], '-w', '5', '-D', ...spec])
    }
  }
}
