/**
 * Checks for untrusted JSON that is valid but harmful: nesting too deep to process without
 * exhausting the stack (checked on the text, before `JSON.parse`), and NUL characters, which
 * PostgreSQL cannot store in text. Pure: the HTTP server and the agent hub share them.
 */

const OPEN_OBJECT = 0x7b // {
const OPEN_ARRAY = 0x5b // [
const CLOSE_OBJECT = 0x7d // }
const CLOSE_ARRAY = 0x5d // ]
const QUOTE = 0x22 // "
const BACKSLASH = 0x5c // \

/**
 * True when `text` nests objects and arrays more than `maxDepth` deep (`{}` is depth 1).
 * Brackets inside strings do not count. The text need not be valid JSON: anything that is not
 * too deep is left for `JSON.parse` to judge, so this never accepts what the parser refuses.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      // An escape takes the next character with it, so `\"` does not end the string.
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) inString = true
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return true
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--
  }
  return false
}

/**
 * The dotted path (`params.a.b`, `items.0.name`) of the first string or object key in `value`
 * that contains a NUL character, or null when there is none. A NUL at the top level (a bare
 * string) is the empty path `''`; a NUL in a key is shown as `\0` in the path, which is read
 * by people and must not carry the NUL on. Iterative, so a deep value cannot overflow the stack.
 */
export function findNulPath(value: unknown): string | null {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }]
  const join = (base: string, key: string) => (base === '' ? key : `${base}.${key}`)
  while (stack.length > 0) {
    const item = stack.pop()!
    const v = item.value
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return item.path
    } else if (Array.isArray(v)) {
      // Pushed in reverse so that the first offending element is the one reported.
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: join(item.path, String(i)) })
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v)
      for (const k of keys) if (k.includes('\u0000')) return join(item.path, k.replaceAll('\u0000', '\\0'))
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!
        stack.push({ value: (v as Record<string, unknown>)[k], path: join(item.path, k) })
      }
    }
  }
  return null
}
