/** Helpers every store module shares: ids, clock, JSON columns and pagination. */
import { randomUUID } from 'node:crypto'
import type { SelectQueryBuilder } from 'kysely'
import { z } from 'zod'
import type { Database } from '../db/schema.ts'

export const newId = (): string => randomUUID()
export const nowIso = (): string => new Date().toISOString()

/**
 * A JSON text column read back through its schema. A value that is missing, not JSON or not of
 * the schema's shape (a row written by hand, an older version) reads as `fallback`.
 */
export function parseJsonColumn<T>(text: string | null | undefined, schema: z.ZodType<T>, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return fallback
  }
  const parsed = schema.safeParse(json)
  return parsed.success ? parsed.data : fallback
}

export const StringList = z.array(z.string())
export const JsonObject = z.record(z.string(), z.unknown())

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

/**
 * Runs a list query as one page plus its total. `query` must already carry its filters; the
 * caller orders it by a unique key so that pages are stable.
 */
export async function page<T extends keyof Database, R, O>(
  query: SelectQueryBuilder<Database, T, O>,
  opts: { limit: number; offset: number },
  map: (row: O) => R,
): Promise<Page<R>> {
  const rows = await query.limit(opts.limit).offset(opts.offset).execute()
  const { total } = await query
    .clearSelect()
    .clearOrderBy()
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow()
  return { items: rows.map(map), total: Number(total), limit: opts.limit, offset: opts.offset }
}
