/** The command log: every one-shot command sent to an agent, with who asked and how it ended. */
import type { CommandLogEntry } from '@wirewarp/protocol'
import type { Selectable } from 'kysely'
import { z } from 'zod'
import type { Db } from '../db/database.ts'
import type { CommandLogTable } from '../db/schema.ts'
import { JsonObject, newId, nowIso, page, parseJsonColumn } from './rows.ts'

type Row = Selectable<CommandLogTable> & { requestedByEmail?: string | null }

export function toCommandLogEntry(row: Row): CommandLogEntry {
  return {
    id: row.id,
    agentId: row.agentId,
    command: row.command,
    params: parseJsonColumn(row.params, JsonObject, {}),
    status: row.status,
    result: row.result === null ? null : parseJsonColumn(row.result, z.unknown(), null),
    error: row.error,
    requestedBy: row.requestedByEmail ?? null,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  }
}

function selectEntries(db: Db) {
  return db
    .selectFrom('commandLog')
    .leftJoin('users', 'users.id', 'commandLog.requestedBy')
    .selectAll('commandLog')
    .select('users.email as requestedByEmail')
}

export function listCommands(db: Db, agentId: string, opts: { limit: number; offset: number }) {
  return page(
    selectEntries(db)
      .where('commandLog.agentId', '=', agentId)
      .orderBy('commandLog.createdAt', 'desc')
      .orderBy('commandLog.id'),
    opts,
    toCommandLogEntry,
  )
}

export async function getCommand(db: Db, id: string): Promise<CommandLogEntry | undefined> {
  const row = await selectEntries(db).where('commandLog.id', '=', id).executeTakeFirst()
  return row ? toCommandLogEntry(row) : undefined
}

export async function insertCommand(
  db: Db,
  c: { agentId: string; command: string; params: Record<string, unknown>; requestedBy: string | null },
): Promise<string> {
  const id = newId()
  await db
    .insertInto('commandLog')
    .values({
      id,
      agentId: c.agentId,
      command: c.command,
      params: JSON.stringify(c.params),
      status: 'pending',
      result: null,
      error: null,
      requestedBy: c.requestedBy,
      createdAt: nowIso(),
      finishedAt: null,
    })
    .execute()
  return id
}

/** Records how a pending command ended; a command that already ended stays as it was. */
export async function finishCommand(
  db: Db,
  id: string,
  outcome: { status: 'success' | 'failed' | 'timeout'; result?: unknown; error?: string | null },
): Promise<boolean> {
  const r = await db
    .updateTable('commandLog')
    .set({
      status: outcome.status,
      result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
      error: outcome.error ?? null,
      finishedAt: nowIso(),
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

/** Commands left pending by a server that stopped: nobody will answer them now. */
export async function failAbandonedCommands(db: Db): Promise<void> {
  await db
    .updateTable('commandLog')
    .set({ status: 'failed', error: 'The server restarted before the agent answered', finishedAt: nowIso() })
    .where('status', '=', 'pending')
    .execute()
}
