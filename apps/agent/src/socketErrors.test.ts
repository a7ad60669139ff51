import { expect, test } from 'vitest'
import { describeSocketError } from './socketErrors.ts'

test('common failures read as sentences', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
  expect(describeSocketError(refused, 10_000)).toMatch(/^connection refused .*\[ECONNREFUSED\]$/)
  expect(describeSocketError(new Error('Opening handshake has timed out'), 10_000)).toBe('no answer within 10 s')
  expect(describeSocketError(new Error('Unexpected server response: 404'), 10_000)).toMatch(/HTTP 404/)
  expect(describeSocketError(Object.assign(new Error('boom'), { code: 'EWHATEVER' }), 1)).toBe('boom [EWHATEVER]')
})
