/**
 * Keeps agent data current without polling: one EventSource on /api/v1/events (admin only, session
 * cookie) whose events update the query cache in place.
 */
import { useQueryClient } from '@tanstack/react-query'
import { LiveEvent } from '@wirewarp/protocol'
import { useEffect } from 'react'
import { apiUrl } from './apiFetch.ts'
import { applyLiveEvent, invalidateLiveData } from './applyLiveEvent.ts'
import { queryKeys } from './queryKeys.ts'

const EVENT_TYPES: readonly LiveEvent['type'][] = ['agent', 'agent_deleted', 'command']
const FIRST_RETRY_MS = 2_000
const MAX_RETRY_MS = 60_000

export function useLiveEvents(enabled: boolean): void {
  const queryClient = useQueryClient()

  useEffect(() => {
    if (!enabled) return
    let source: EventSource | null = null
    let retryTimer: ReturnType<typeof setTimeout> | undefined
    let retryMs = FIRST_RETRY_MS
    // Set by an error, cleared by the next open: only a stream that was down can have missed events.
    let interrupted = false

    const onEvent = (e: MessageEvent<string>) => {
      let json: unknown
      try {
        json = JSON.parse(e.data)
      } catch {
        return
      }
      // Parsed by the protocol's schema, like every frame and row: the cache only takes what fits.
      const event = LiveEvent.safeParse(json)
      if (event.success) applyLiveEvent(queryClient, event.data)
    }

    const connect = () => {
      const es = new EventSource(apiUrl('/events'))
      source = es
      es.addEventListener('open', () => {
        retryMs = FIRST_RETRY_MS
        if (interrupted) invalidateLiveData(queryClient)
        interrupted = false
      })
      es.addEventListener('error', () => {
        interrupted = true
        // EventSource retries a dropped connection by itself, but gives up on an answer that is not
        // a stream (a 401 once the session ended, a proxy's 502): then retry here, more slowly each time,
        // and recheck the session so an expired one sends the user to sign in.
        if (es.readyState !== EventSource.CLOSED) return
        es.close()
        void queryClient.invalidateQueries({ queryKey: queryKeys.me })
        retryTimer = setTimeout(connect, retryMs)
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS)
      })
      for (const type of EVENT_TYPES) es.addEventListener(type, onEvent)
    }

    connect()
    return () => {
      clearTimeout(retryTimer)
      source?.close()
    }
  }, [enabled, queryClient])
}
