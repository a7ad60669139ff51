import { expect, test } from 'vitest'
import { hubUrl, normalizeServerUrl } from './hubUrl.ts'

test.each([
  ['http://localhost:8080', 'ws://localhost:8080/ws/agent'],
  ['https://wirewarp.example.com/', 'wss://wirewarp.example.com/ws/agent'],
  ['https://example.com/wirewarp/', 'wss://example.com/wirewarp/ws/agent'],
  ['http://[2001:db8::1]:8080?x=1', 'ws://[2001:db8::1]:8080/ws/agent'],
])('%s → %s', (input, expected) => {
  expect(hubUrl(input)).toBe(expected)
})

test.each(['ftp://example.com', 'ws://example.com', 'example.com', 'localhost:8080', '', 'http://'])(
  '%s is refused',
  (input) => {
    expect(hubUrl(input)).toBeNull()
  },
)

test('normalizes for storage', () => {
  expect(normalizeServerUrl('https://Example.com:443/a/?q#f')).toBe('https://example.com/a')
})
