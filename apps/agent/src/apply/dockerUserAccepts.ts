/**
 * Docker sets the iptables FORWARD policy to DROP, which would drop tunnel traffic whatever our
 * own table accepts. Where its `DOCKER-USER` chain exists, the agent inserts two accepts for the
 * WireGuard interface (`-i WG`, `-o WG`), tagged with the comment `wirewarp` so that they, and
 * only they, are removed again. Hosts without Docker or without iptables are left alone.
 */
import { CommandFailed, type Run } from '../exec/run.ts'

const CHAIN = 'DOCKER-USER'
export const DOCKER_USER_COMMENT = 'wirewarp'

function ruleSpec(direction: '-i' | '-o', iface: string): string[] {
  return [CHAIN, direction, iface, '-m', 'comment', '--comment', DOCKER_USER_COMMENT, '-j', 'ACCEPT']
}

/** True when iptables is installed and has a DOCKER-USER chain. */
export async function hasDockerUserChain(run: Run): Promise<boolean> {
  try {
    await run(['iptables', '-w', '5', '-S', CHAIN])
    return true
  } catch (err) {
    if (err instanceof CommandFailed) return false
    throw err
  }
}

/** `iptables -C`: exit 1 means "no such rule"; anything else is a real failure. */
async function present(run: Run, spec: string[]): Promise<boolean> {
  try {
    await run(['iptables', '-w', '5', '-C', ...spec])
    return true
  } catch (err) {
    if (err instanceof CommandFailed && err.exitCode === 1) return false
    throw err
  }
}

export async function addDockerUserAccepts(run: Run, iface: string): Promise<boolean> {
  if (!(await hasDockerUserChain(run))) return false
  for (const dir of ['-i', '-o'] as const) {
    const spec = ruleSpec(dir, iface)
    if (!(await present(run, spec))) await run(['iptables', '-w', '5', '-I', ...spec])
  }
  return true
}

export async function removeDockerUserAccepts(run: Run, iface: string): Promise<void> {
  if (!(await hasDockerUserChain(run))) return
  for (const dir of ['-i', '-o'] as const) {
    const spec = ruleSpec(dir, iface)
    // A crash between -C and -I could have left two; remove every copy.
    for (let i = 0; i < 10 && (await present(run, spec)); i++) await run(['iptables', '-w', '5', '-D', ...spec])
  }
}
