/** A form finds every wrong field before sending, in the words the server would use. */
import { PortForwardCreate, ServiceTemplateCreate, TunnelServerUpdate } from '@wirewarp/protocol'
import { describe, expect, test } from 'vitest'
import { ApiError } from '../api/ApiError.ts'
import { checkedErrors, formErrors } from './formErrors.ts'
import { joinListErrors } from './joinListErrors.ts'
import { requiredNumber } from './numberInput.ts'
import { mergeChecks, validate } from './validate.ts'

const id = '6f1c2a4e-9b1d-4c7e-8f3a-2d5b6c7e8f90'
const forward = {
  tunnelServerId: id,
  tunnelClientId: id,
  protocol: 'tcp',
  publicPort: 25565,
  publicPortEnd: null,
  destinationIp: '192.168.1.20',
  destinationPort: 25565,
  description: '',
  enabled: true,
  preserveClientIp: false,
}

describe('validate', () => {
  test('three wrong fields give three messages, one per field', () => {
    expect(
      validate(PortForwardCreate, {
        ...forward,
        publicPort: 70000,
        destinationIp: '192.168.1.300',
        destinationPort: 0,
      }),
    ).toEqual({
      publicPort: 'Must be a whole number from 1 to 65535',
      destinationIp: 'Must be an IPv4 or IPv6 address',
      destinationPort: 'Must be a whole number from 1 to 65535',
    })
  })

  test('a number input with no number in it reads as the field’s own rule, not "expected number"', () => {
    expect(validate(PortForwardCreate, { ...forward, publicPort: requiredNumber('') })).toEqual({
      publicPort: 'Must be a whole number from 1 to 65535',
    })
    expect(validate(TunnelServerUpdate, { mtu: requiredNumber('abc') })).toEqual({ mtu: 'Must be a number' })
    expect(validate(TunnelServerUpdate, { mtu: 100 })).toEqual({ mtu: 'Must be from 1280 to 9000' })
  })

  test('the first message of a field wins; a valid body has none', () => {
    expect(validate(ServiceTemplateCreate, { name: '', ports: [{ protocol: 'tcp', port: 1 }] })).toEqual({
      name: 'Must not be empty',
    })
    expect(validate(PortForwardCreate, forward)).toEqual({})
  })

  test('nested fields keep the path the server uses', () => {
    expect(
      validate(ServiceTemplateCreate, {
        name: 'Game',
        ports: [
          { protocol: 'tcp', port: 0 },
          { protocol: 'udp', port: 2000, portEnd: 1999 },
        ],
      }),
    ).toEqual({ 'ports.0.port': 'Must be a whole number from 1 to 65535', 'ports.1.portEnd': expect.any(String) })
  })

  test('form checks join the schema and win on their field', () => {
    const schema = validate(PortForwardCreate, { ...forward, tunnelClientId: '', publicPort: 0 })
    expect(schema.tunnelClientId).toBe('Must be an id (UUID)')
    expect(mergeChecks(schema, { tunnelClientId: 'Choose the tunnel client', enabled: false })).toEqual({
      tunnelClientId: 'Choose the tunnel client',
      publicPort: 'Must be a whole number from 1 to 65535',
    })
  })

  test('item errors of a list show under the list, naming the item', () => {
    const dns = ['1.1.1.1', '8.8.8', 'x']
    expect(joinListErrors(validate(TunnelServerUpdate, { dns }), { dns })).toEqual({
      dns: '8.8.8: Must be an IPv4 or IPv6 address x: Must be an IPv4 or IPv6 address',
    })
  })
})

describe('form errors', () => {
  test('a field the form does not show goes to the top by its label, never its API name', () => {
    const fields = { name: 'Must not be empty', lanIp: 'Must be an IPv4 or IPv6 address', other: 'Not valid' }
    expect(checkedErrors(fields, ['name'], { lanIp: 'LAN IP' })).toEqual({
      fields: { name: 'Must not be empty' },
      message: 'LAN IP: Must be an IPv4 or IPv6 address Not valid',
    })
  })

  test('a server validation error marks its fields; the summary with raw names is not shown', () => {
    const error = new ApiError(400, 'validation', 'Some fields are not valid: publicPort: Must be…', {
      publicPort: 'Must be a whole number from 1 to 65535',
    })
    expect(formErrors(error, ['publicPort'])).toEqual({
      fields: { publicPort: 'Must be a whole number from 1 to 65535' },
      message: null,
    })
  })

  test('a conflict shows at the top and marks its field', () => {
    const error = new ApiError(
      409,
      'forward.conflict',
      'The ports overlap the forward "Minecraft" (TCP 25565) on vps.',
      {
        publicPort: 'Overlaps the forward "Minecraft" (TCP 25565)',
      },
    )
    expect(formErrors(error, ['publicPort'])).toEqual({
      fields: { publicPort: 'Overlaps the forward "Minecraft" (TCP 25565)' },
      message: 'The ports overlap the forward "Minecraft" (TCP 25565) on vps.',
    })
  })
})
