import { describe, expect, test } from 'vitest'
import { findNulPath, jsonDepthExceeds } from './jsonLimits.ts'

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

describe('jsonDepthExceeds', () => {
  test.each([
    ['1', 0, false],
    ['"just a string"', 0, false],
    ['{}', 0, true],
    ['{}', 1, false],
    ['{"a":[1,{"b":2}]}', 3, false],
    ['{"a":[1,{"b":2}]}', 2, true],
    // Siblings do not add up: depth is how far in, not how many.
    ['[[],[],[],[]]', 2, false],
  ])('%s with a limit of %i → %s', (text, max, expected) => {
    expect(jsonDepthExceeds(text, max)).toBe(expected)
  })

  test('32 levels pass a limit of 32; 33 do not', () => {
    expect(jsonDepthExceeds(nested(32), 32)).toBe(false)
    expect(jsonDepthExceeds(nested(33), 32)).toBe(true)
  })

  test('brackets inside strings, escaped quotes included, do not count', () => {
    const s = JSON.stringify({ s: `${'{['.repeat(50)}"\\${'}]'.repeat(50)}`, t: '\\' })
    expect(jsonDepthExceeds(s, 1)).toBe(false)
    expect(JSON.parse(s).t).toBe('\\')
  })

  test('10,000 levels are seen without recursion, and stop the scan early', () => {
    expect(jsonDepthExceeds(`{"a":${nested(10_000)}}`, 32)).toBe(true)
    expect(jsonDepthExceeds(`${'['.repeat(1_000_000)}`, 32)).toBe(true)
  })

  test('text that is not JSON is left to the parser', () => {
    expect(jsonDepthExceeds(']]]]{', 1)).toBe(false)
    expect(jsonDepthExceeds('"unterminated [[[[', 1)).toBe(false)
  })
})

describe('findNulPath', () => {
  test.each([
    [{ email: 'a\u0000@x.io' }, 'email'],
    [{ params: { a: { b: 'x\u0000' } } }, 'params.a.b'],
    [{ items: [{ name: 'ok' }, { name: 'n\u0000' }] }, 'items.1.name'],
    [{ items: [{ name: 'first\u0000' }, { name: 'second\u0000' }] }, 'items.0.name'],
    [{ 'k\u0000ey': 1 }, 'k\\0ey'],
    ['bare\u0000', ''],
  ])('%j → %s', (value, path) => {
    expect(findNulPath(value)).toBe(path)
  })

  test.each([[{ a: 'fine', b: [1, true, null, { c: 'é\u0001' }] }], [null], [42], ['']])('%j has none', (value) => {
    expect(findNulPath(value)).toBeNull()
  })

  test('a value nested 10,000 deep does not overflow the stack', () => {
    let v: unknown = 'deep\u0000'
    for (let i = 0; i < 10_000; i++) v = { a: v }
    expect(findNulPath(v)?.split('.')).toHaveLength(10_000)
  })
})
