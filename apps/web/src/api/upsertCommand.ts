/** Puts a command (new, or finished since) into its agent's cached history, newest first. */
import type { QueryClient } from '@tanstack/react-query'
import type { CommandLogEntry } from '@wirewarp/protocol'
import type { Page } from './Page.ts'
import { queryKeys } from './queryKeys.ts'

export function upsertCommand(queryClient: QueryClient, entry: CommandLogEntry): void {
  queryClient.setQueryData<Page<CommandLogEntry>>(queryKeys.agents.commands(entry.agentId), (page) => {
    if (!page) return page
    const known = page.items.find((c) => c.id === entry.id)
    if (known) {
      // The stream and a POST answer travel separately: a late "pending" must not undo a result.
      if (entry.status === 'pending' && known.status !== 'pending') return page
      return { ...page, items: page.items.map((c) => (c.id === entry.id ? entry : c)) }
    }
    return { ...page, items: [entry, ...page.items].slice(0, page.limit), total: page.total + 1 }
  })
}
