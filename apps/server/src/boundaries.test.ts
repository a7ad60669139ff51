/** Module boundaries of the control server, checked like the agent's (apps/agent/src/boundaries.test.ts). */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const SRC = path.dirname(fileURLToPath(import.meta.url))

async function sources(): Promise<{ file: string; text: string }[]> {
  const entries = await readdir(SRC, { recursive: true, withFileTypes: true })
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(SRC, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(path.join(SRC, file), 'utf8') })))
}

const inDir = (file: string, ...dirs: string[]) => dirs.some((d) => file.startsWith(`${d}/`))

test('only store/ and db/ touch the database', async () => {
  const queries = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto)\(|\bsql`|from 'kysely'/
  for (const { file, text } of await sources()) if (!inDir(file, 'store', 'db')) expect(text, file).not.toMatch(queries)
})

test('transactions are opened by the change runner (and inside store/) only', async () => {
  for (const { file, text } of await sources())
    if (!inDir(file, 'store', 'db') && file !== 'domain/change.ts') expect(text, file).not.toMatch(/\.transaction\(\)/)
})

test('no route works out which agents a change affects', async () => {
  // The domain layer names the affected agents (tx.affect); routes only call it.
  for (const { file, text } of (await sources()).filter((s) => inDir(s.file, 'api')))
    expect(text, file).not.toMatch(/bumpRevisions|\.affect\(|\btouch\(|hub\.sync\(/)
})

test('errors come from the catalogue in errors.ts', async () => {
  for (const { file, text } of await sources())
    if (file !== 'errors.ts') expect(text, file).not.toMatch(/new (AppError|AgentRefused)\(/)
})

test('no process is started (but the local agent), and JSON is never cast unchecked', async () => {
  for (const { file, text } of await sources()) {
    // Single-host mode starts the agent: an argument array, never a shell.
    if (file === 'localAgent.ts') expect(text).not.toMatch(/shell:\s*true|exec\(|execSync|spawnSync/)
    else expect(text, file).not.toMatch(/from '(node:)?child_process'/)
    expect(text, file).not.toMatch(/JSON\.parse\([^)]*\)\s+as\s/)
  }
})

test('every module opens with a sentence saying what it holds', async () => {
  for (const { file, text } of await sources()) expect(text, file).toMatch(/^\/\*\*/)
})
