/** The SQLite database and its -wal/-shm files are readable by their owner only, even in a data directory that existed already. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, test } from 'vitest'
import { openDatabase } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'
import { dbKind } from './harness.ts'

describe.skipIf(dbKind !== 'sqlite')('SQLite files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-files-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('the database, -wal and -shm are created 0600 in a directory that already exists (0755)', async () => {
    const { db } = openDatabase({ dataDir: dir, databaseUrl: undefined })
    await migrate(db, 'sqlite')
    await sql`select 1`.execute(db)
    for (const name of ['wirewarp.db', 'wirewarp.db-wal', 'wirewarp.db-shm'])
      expect((statSync(path.join(dir, name)).mode & 0o777).toString(8), name).toBe('600')
    await db.destroy()
  })

  test('a database file left 0644 by an older version is made 0600', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'wirewarp-files-'))
    try {
      writeFileSync(path.join(other, 'wirewarp.db'), '', { mode: 0o644 })
      const { db } = openDatabase({ dataDir: other, databaseUrl: undefined })
      await migrate(db, 'sqlite')
      expect((statSync(path.join(other, 'wirewarp.db')).mode & 0o777).toString(8)).toBe('600')
      await db.destroy()
    } finally {
      rmSync(other, { recursive: true, force: true })
    }
  })
})
