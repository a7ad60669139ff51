/** Module boundaries the architecture relies on, checked like tailscale's deptest. */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const SRC = path.dirname(fileURLToPath(import.meta.url))

async function sources(): Promise<string[]> {
  const entries = await readdir(SRC, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(SRC, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith('testing/'))
}

test('only exec/run.ts may start processes', async () => {
  for (const f of await sources()) {
    if (f === path.join('exec', 'run.ts')) continue
    expect(await readFile(path.join(SRC, f), 'utf8'), f).not.toMatch(/from '(node:)?child_process'/)
  }
})

test('every module opens with a sentence saying what it holds', async () => {
  for (const f of await sources()) expect(await readFile(path.join(SRC, f), 'utf8'), f).toMatch(/^\/\*\*/)
})

test('render/ stays pure: no processes, files or sockets', async () => {
  for (const f of (await sources()).filter((f) => f.startsWith(`render${path.sep}`)))
    expect(await readFile(path.join(SRC, f), 'utf8'), f).not.toMatch(
      /from '(node:)?(child_process|fs|fs\/promises|net|dgram)'/,
    )
})

test('JSON read from outside is parsed with a schema, never cast', async () => {
  // `JSON.parse(x) as T` trusts whatever a tool or the hub printed; parse with zod instead.
  for (const f of await sources())
    expect(await readFile(path.join(SRC, f), 'utf8'), f).not.toMatch(/JSON\.parse\([^;]*?\)\)?\s+as\s/)
})
