/** Field errors read as plain words wherever people see them (API bodies and dashboard forms). */
import { describe, expect, test } from 'vitest'
import type { z } from 'zod'
import { ApiTokenCreate, PortForwardCreate, RegistrationTokenCreate } from './api.ts'
import { PageQuery } from './common.ts'

function messages(schema: z.ZodType, value: unknown): Record<string, string> {
  const r = schema.safeParse(value)
  if (r.success) return {}
  return Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]))
}

describe('plain messages', () => {
  test('numbers out of range name the range and its unit', () => {
    expect(messages(RegistrationTokenCreate, { kind: 'server', name: 'vps', expiresInHours: 721 })).toEqual({
      expiresInHours: 'Must be from 1 to 720 hours',
    })
    expect(messages(ApiTokenCreate, { name: 'ci', expiresInDays: 1.5 })).toEqual({
      expiresInDays: 'Must be a whole number',
    })
    expect(messages(PageQuery, { limit: 'lots' })).toEqual({ limit: 'Must be a number' })
  })

  test('a range that runs backwards says so in words, not field names', () => {
    const id = '6f1c2a4e-9b1d-4c7e-8f3a-2d5b6c7e8f90'
    const body = { tunnelServerId: id, tunnelClientId: id, protocol: 'tcp', destinationIp: '192.168.1.2' }
    expect(
      messages(PortForwardCreate, { ...body, publicPort: 8080, publicPortEnd: 8000, destinationPort: 80 }),
    ).toEqual({ publicPortEnd: 'Must not be lower than the public port' })
  })
})
