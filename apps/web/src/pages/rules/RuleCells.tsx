/** The cells every rule table shows the same way: action, destination and traffic, whom, where. */
import type { Rule } from '@wirewarp/protocol'
import { Badge } from '../../components/Badge.tsx'
import { Td } from '../../components/Table.tsx'
import { formatRuleTraffic } from './formatRuleTraffic.ts'

const anyone = 'text-zinc-500 dark:text-zinc-400'

export function RuleCells({ rule: r }: { rule: Rule }) {
  return (
    <>
      <Td>
        <Badge tone={r.action === 'accept' ? 'green' : 'red'}>{r.action}</Badge>
      </Td>
      <Td className="whitespace-nowrap">
        <span className="block font-mono text-sm">{r.destination}</span>
        <span className="block text-xs text-zinc-500 dark:text-zinc-400">{formatRuleTraffic(r)}</span>
      </Td>
      <Td className="max-w-56 truncate">{r.userEmail ?? <span className={anyone}>Everyone</span>}</Td>
      <Td className="whitespace-nowrap">{r.tunnelServerName ?? <span className={anyone}>Every server</span>}</Td>
      <Td className="max-w-64 truncate" title={r.description || undefined}>
        {r.description || <span className="text-zinc-400 dark:text-zinc-500">—</span>}
      </Td>
    </>
  )
}
