/** Service templates: named sets of ports (Minecraft, DayZ…) to create forwards from in one step. */
import { type ServiceTemplate, TemplatePort } from '@wirewarp/protocol'
import type { Selectable } from 'kysely'
import { z } from 'zod'
import type { Db } from '../db/database.ts'
import type { ServiceTemplatesTable } from '../db/schema.ts'
import { newId, nowIso, page, parseJsonColumn } from './rows.ts'

type Row = Selectable<ServiceTemplatesTable>

export const BUILTIN_TEMPLATES: { name: string; description: string; ports: TemplatePort[] }[] = [
  { name: 'Minecraft Java', description: 'Minecraft: Java Edition server', ports: [{ protocol: 'tcp', port: 25565 }] },
  {
    name: 'Minecraft Bedrock',
    description: 'Minecraft: Bedrock Edition server',
    ports: [{ protocol: 'udp', port: 19132 }],
  },
  {
    name: 'DayZ',
    description: 'DayZ game ports and Steam query port',
    ports: [
      { protocol: 'udp', port: 2302, portEnd: 2305 },
      { protocol: 'udp', port: 27016 },
    ],
  },
  {
    name: 'Web',
    description: 'HTTP and HTTPS',
    ports: [
      { protocol: 'tcp', port: 80 },
      { protocol: 'tcp', port: 443 },
    ],
  },
  { name: 'RDP', description: 'Windows Remote Desktop', ports: [{ protocol: 'both', port: 3389 }] },
]

export function toServiceTemplate(row: Row): ServiceTemplate {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    builtin: row.builtin,
    ports: parseJsonColumn(row.ports, z.array(TemplatePort), []),
    createdAt: row.createdAt,
  }
}

export function listServiceTemplates(db: Db, opts: { limit: number; offset: number }) {
  return page(
    db.selectFrom('serviceTemplates').selectAll().orderBy('builtin', 'desc').orderBy('name').orderBy('id'),
    opts,
    toServiceTemplate,
  )
}

export function getServiceTemplate(db: Db, id: string) {
  return db.selectFrom('serviceTemplates').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findServiceTemplateByName(db: Db, name: string) {
  // Case-insensitive, so that "dayz" cannot stand beside "DayZ".
  return db
    .selectFrom('serviceTemplates')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst()
}

export async function insertServiceTemplate(
  db: Db,
  t: { name: string; description: string; ports: TemplatePort[]; builtin: boolean },
): Promise<Row> {
  const row: Row = { id: newId(), ...t, ports: JSON.stringify(t.ports), createdAt: nowIso() }
  await db.insertInto('serviceTemplates').values(row).execute()
  return row
}

export async function updateServiceTemplate(
  db: Db,
  id: string,
  patch: { name?: string; description?: string; ports?: TemplatePort[] },
): Promise<Row | undefined> {
  const { ports, ...rest } = patch
  const set = { ...rest, ...(ports === undefined ? {} : { ports: JSON.stringify(ports) }) }
  if (Object.keys(set).length > 0) await db.updateTable('serviceTemplates').set(set).where('id', '=', id).execute()
  return getServiceTemplate(db, id)
}

export async function deleteServiceTemplate(db: Db, id: string): Promise<void> {
  await db.deleteFrom('serviceTemplates').where('id', '=', id).execute()
}

/** Adds the built-in templates that are missing and refreshes their ports; safe on every start. */
export async function seedBuiltinTemplates(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const t of BUILTIN_TEMPLATES) {
      const existing = await findServiceTemplateByName(trx, t.name)
      if (!existing) await insertServiceTemplate(trx, { ...t, builtin: true })
      else if (existing.builtin)
        await trx
          .updateTable('serviceTemplates')
          .set({ description: t.description, ports: JSON.stringify(t.ports) })
          .where('id', '=', existing.id)
          .execute()
    }
  })
}
