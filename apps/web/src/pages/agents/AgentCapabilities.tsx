/** What the agent reported its host can do (WireGuard flavour, nft, IPv6…), as key and value. */
import { EmptyNote } from '../../components/EmptyNote.tsx'
import { FactList } from '../../components/FactList.tsx'

export function AgentCapabilities({ capabilities }: { capabilities: Record<string, unknown> }) {
  const entries = Object.entries(capabilities)
  if (entries.length === 0) return <EmptyNote>The agent has not reported any capabilities yet.</EmptyNote>
  return <FactList rows={entries.map(([key, value]) => [key, <Capability key={key} value={value} />])} />
}

function Capability({ value }: { value: unknown }) {
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (value === null || value === undefined) return <span className="text-zinc-400 dark:text-zinc-500">—</span>
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value)
  return <span className="font-mono text-xs break-all">{text}</span>
}
