/**
 * A Run that passes every command through and notes the ones that change the host (anything
 * but `show`, `list`, `-S`, `-C`…), so a drift check can run an applier — which compares before
 * it changes — and tell from the notes whether there was anything to repair.
 */
import type { Run } from '../exec/run.ts'

export function isReadOnly(argv: readonly string[]): boolean {
  const [tool, ...rest] = argv
  if (tool === 'wg') return rest[0] === 'show'
  if (tool === 'ip') return rest.includes('show') || rest.includes('list')
  if (tool === 'nft') return rest.includes('list') || rest[0] === '--version'
  if (tool === 'iptables' || tool === 'ip6tables') return rest.includes('-S') || rest.includes('-C')
  return false
}

export function recordChanges(run: Run): { run: Run; changes: string[][] } {
  const changes: string[][] = []
  return {
    changes,
    run: (argv, opts) => {
      if (!isReadOnly(argv)) changes.push([...argv])
      return run(argv, opts)
    },
  }
}
