/** How long ago something happened, to the second: "42 s ago", "3 min 5 s ago", "2 h 4 min ago". */
import { formatDuration } from './formatDuration.ts'

export function formatAge(iso: string, now = Date.now()): string {
  const at = new Date(iso).getTime()
  if (Number.isNaN(at)) return iso
  // Clocks of the browser and the server differ a little; a time "in the future" is just now.
  const seconds = Math.max(0, Math.round((now - at) / 1000))
  // formatDuration shows tenths below 10 s ("4.0 s"); an age reads better in whole seconds.
  return `${seconds < 60 ? `${seconds} s` : formatDuration(seconds * 1000)} ago`
}
