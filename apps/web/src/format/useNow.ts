/** The current time, re-read every `intervalMs`: a ticking clock for "12 seconds ago" (no server calls). */
import { useEffect, useState } from 'react'

export function useNow(intervalMs = 5_000): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return now
}
