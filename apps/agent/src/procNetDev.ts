/** Interface byte and packet counters from Linux's /proc/net/dev. */
import { readFile } from 'node:fs/promises'
import type { InterfaceCounters } from '@wirewarp/protocol'
import type { z } from 'zod'

type Counters = z.infer<typeof InterfaceCounters>

/** Parses the file's text. Pure. Lines that do not look like counters are skipped. */
export function parseProcNetDev(text: string): Counters[] {
  const out: Counters[] = []
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const name = line.slice(0, colon).trim()
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number)
    // Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets …
    if (!name || fields.length < 16 || fields.some((n) => !Number.isFinite(n))) continue
    out.push({ name, rxBytes: fields[0]!, rxPackets: fields[1]!, txBytes: fields[8]!, txPackets: fields[9]! })
  }
  return out
}

/** The counters, or [] where the file does not exist (not Linux) or cannot be read. */
export async function readProcNetDev(file = '/proc/net/dev'): Promise<Counters[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return parseProcNetDev(text)
}
