import { expect, test } from 'vitest'
import { fromConstraintViolation } from './errors.ts'

test('what the databases refuse becomes a 409 people can act on', () => {
  for (const code of ['23505', 'SQLITE_CONSTRAINT_UNIQUE', '23503', 'SQLITE_CONSTRAINT_FOREIGNKEY'])
    expect(fromConstraintViolation({ code })?.status, code).toBe(409)
  expect(fromConstraintViolation({ code: '23P01', constraint: 'port_forwards_no_overlap' })?.fields).toEqual({
    publicPort: 'Overlaps another forward',
  })
  expect(fromConstraintViolation(new Error('something else'))).toBeNull()
})
