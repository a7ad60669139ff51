import { readFile } from 'node:fs/promises'
import { expect, test } from 'vitest'
import { VERSION } from './version.ts'

test('VERSION matches package.json, so the bundle reports what was released', async () => {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  expect(VERSION).toBe(pkg.version)
})
