/** Opens the database: embedded SQLite by default, PostgreSQL when DATABASE_URL says so. */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './schema.ts'
import { SqliteBooleansPlugin } from './sqliteBooleans.ts'

export type Dialect = 'sqlite' | 'postgres'
export type Db = Kysely<Database>

export interface OpenDatabase {
  db: Db
  dialect: Dialect
  /** Where the data lives, for log lines: a file path or the URL without its password. */
  location: string
}

const PG_TIMESTAMPTZ = 1184
const PG_TIMESTAMP = 1114
const PG_INT8 = 20

// Per-pool type parsers, so the process-wide pg defaults stay untouched: timestamps come back
// as the same ISO strings SQLite stores, and int8 (count(*), bigserial) as numbers.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === PG_TIMESTAMPTZ || oid === PG_TIMESTAMP) return (v: string) => new Date(v).toISOString()
    if (oid === PG_INT8) return (v: string) => Number(v)
    return pg.types.getTypeParser(oid, format)
  },
}

export function openDatabase(opts: {
  databaseUrl?: string | undefined
  dataDir: string
  /** Told when PostgreSQL drops an idle connection (a restart, a failover); the pool opens a new one. */
  onIdleError?: (err: Error) => void
}): OpenDatabase {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, types: pgTypes, max: 10 })
    // Without a listener the pool's 'error' event would end the process on a database restart.
    pool.on('error', (err) => opts.onIdleError?.(err))
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] })
    return { db, dialect: 'postgres', location: redactUrl(opts.databaseUrl) }
  }
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 })
  const file = path.join(opts.dataDir, 'wirewarp.db')
  // The database holds password hashes and credentials: owner only, also when the directory
  // existed already (mkdir's mode applies only to a directory it creates). SQLite gives the
  // -wal and -shm files the database file's mode; they are set too, in case they existed.
  closeSync(openSync(file, 'a', 0o600))
  chmodSync(file, 0o600)
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  for (const extra of [`${file}-wal`, `${file}-shm`]) if (existsSync(extra)) chmodSync(extra, 0o600)
  sqlite.pragma('foreign_keys = ON')
  // Waits instead of failing with SQLITE_BUSY when `wirewarp admin create` writes while the server runs.
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    plugins: [new CamelCasePlugin(), new SqliteBooleansPlugin()],
  })
  return { db, dialect: 'sqlite', location: file }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'postgres://(unparseable URL)'
  }
}

/** Postgres unique-violation and SQLite constraint errors look different; this tells both. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

export function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string }
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
}
