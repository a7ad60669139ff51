import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { SecretBox } from './secretBox.ts'
import { loadSecret } from './secretKey.ts'

test('seals and opens; another key or a changed byte fails', () => {
  const box = new SecretBox('a'.repeat(40))
  const sealed = box.seal('smtp password')
  expect(sealed).not.toContain('smtp password')
  expect(box.open(sealed)).toBe('smtp password')
  expect(() => new SecretBox('b'.repeat(40)).open(sealed)).toThrow()
  const parts = sealed.split('.')
  parts[2] = `${parts[2]!.slice(0, -2)}AA`
  expect(() => box.open(parts.join('.'))).toThrow()
})

test('the generated secret is kept with mode 0600 and reused', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ww-secret-'))
  const first = loadSecret(dir, undefined)
  expect(first.generated).toBe(true)
  expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600)
  const second = loadSecret(dir, undefined)
  expect(second).toEqual({ secret: first.secret, generated: false })
  expect(loadSecret(dir, 'x'.repeat(32)).secret).toBe('x'.repeat(32))
})
