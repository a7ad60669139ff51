import { PASSWORD_RULE as stated } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { PASSWORD_RULE } from './passwordRule.ts'

test('the dashboard states the same password rule as the protocol', () => {
  expect(PASSWORD_RULE).toBe(stated)
})
