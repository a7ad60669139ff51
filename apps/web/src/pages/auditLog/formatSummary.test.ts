import { expect, test } from 'vitest'
import { formatSummary } from './formatSummary.ts'

test('a summary reads as one line, ids shortened and empty texts left out', () => {
  expect(
    formatSummary({ tunnelServerId: 'e937b1f1-ecde-4ae7-92a5-67ec03d7cdbd', description: '', publicPort: 25565 }),
  ).toBe('tunnelServerId: e937b1f1… · publicPort: 25565')
  expect(formatSummary({})).toBe('—')
})
