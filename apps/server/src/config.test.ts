import path from 'node:path'
import { expect, test } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

test('defaults', () => {
  const c = loadConfig({})
  expect(c).toMatchObject({
    port: 8080,
    host: '0.0.0.0',
    databaseUrl: undefined,
    dataDir: path.resolve('data'),
    trustProxy: false,
  })
})

test('every bad variable is named with its reason, all at once', () => {
  try {
    loadConfig({
      PORT: '70000',
      DATABASE_URL: 'mysql://x',
      WIREWARP_ADMIN_PASSWORD: 'short',
      WIREWARP_ADMIN_EMAIL: 'nope',
    })
    expect.unreachable()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    const problems = (err as ConfigError).problems.join('\n')
    expect(problems).toMatch(/PORT must be from 1 to 65535/)
    expect(problems).toMatch(/DATABASE_URL must start with postgres:\/\//)
    expect(problems).toMatch(/WIREWARP_ADMIN_PASSWORD must be at least 12 characters/)
    expect(problems).toMatch(/WIREWARP_ADMIN_EMAIL must be an email address/)
  }
})

test('a public URL loses its trailing slash; empty variables count as unset', () => {
  const c = loadConfig({ WIREWARP_PUBLIC_URL: 'https://ww.example.com/', DATABASE_URL: '' })
  expect(c.publicUrl).toBe('https://ww.example.com')
  expect(c.databaseUrl).toBeUndefined()
})
