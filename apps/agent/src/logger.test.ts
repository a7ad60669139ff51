import { expect, test } from 'vitest'
import { createLogger } from './logger.ts'

test('lines carry time and level; redacted secrets never appear', () => {
  const lines: string[] = []
  const log = createLogger({ write: (l) => lines.push(l), now: () => new Date('2026-01-02T03:04:05.000Z') })
  log.redact('wwa_supersecretcredential')
  log.info('connected to http://localhost')
  log.error('server said: bad wwa_supersecretcredential!')
  log.debug('hidden')
  expect(lines).toEqual([
    '2026-01-02T03:04:05.000Z info connected to http://localhost\n',
    '2026-01-02T03:04:05.000Z error server said: bad [redacted]!\n',
  ])
})
