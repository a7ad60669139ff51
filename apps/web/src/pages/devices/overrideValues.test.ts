/** A device's own settings go into the form and come back out as the API's fields. */
import { type ClientSettings, DeviceUpdate } from '@wirewarp/protocol'
import { describe, expect, test } from 'vitest'
import { validate } from '../../forms/validate.ts'
import { overrideBody, overrideValues, settingText } from './overrideValues.ts'

const defaults: ClientSettings = {
  endpoint: '203.0.113.10:51820',
  dns: ['1.1.1.1', '9.9.9.9'],
  allowedIps: ['0.0.0.0/0', '::/0'],
  mtu: 1420,
  persistentKeepalive: 25,
}

describe('overrideValues', () => {
  test('a device on the defaults has no text of its own, and sends null for every field', () => {
    const v = overrideValues(null)
    expect(Object.values(v).every((f) => f.useDefault && f.text === '')).toBe(true)
    expect(overrideBody(v)).toEqual({
      endpoint: null,
      dns: null,
      allowedIps: null,
      mtu: null,
      persistentKeepalive: null,
    })
  })

  test('own values round-trip; the others stay on the default', () => {
    const own = {
      endpoint: 'vpn.example.com:51820',
      dns: ['192.168.1.1'],
      allowedIps: null,
      mtu: 1380,
      persistentKeepalive: null,
    }
    const v = overrideValues(own)
    expect(v.dns).toEqual({ useDefault: false, text: '192.168.1.1' })
    expect(v.allowedIps.useDefault).toBe(true)
    expect(overrideBody(v)).toEqual(own)
  })

  test('typed text becomes lists and numbers; bad numbers are named by the schema', () => {
    const v = overrideValues(null)
    v.allowedIps = { useDefault: false, text: '10.0.0.0/8,\n192.168.1.0/24 ' }
    v.mtu = { useDefault: false, text: 'abc' }
    const body = overrideBody(v)
    expect(body.allowedIps).toEqual(['10.0.0.0/8', '192.168.1.0/24'])
    expect(validate(DeviceUpdate, body)).toEqual({ mtu: 'Must be a number' })
  })

  test('the defaults as the form shows them', () => {
    expect(settingText('dns', defaults)).toBe('1.1.1.1, 9.9.9.9')
    expect(settingText('endpoint', { ...defaults, endpoint: null })).toBe('')
    expect(settingText('persistentKeepalive', defaults)).toBe('25')
  })
})
