/**
 * The VPN settings, one row of `settings` per field (`vpn.defaultPolicy`, …) so that two
 * changes of different fields at the same moment both land. A missing or unreadable row is the
 * default.
 */
import { DEFAULT_VPN_SETTINGS, VpnSettings, type VpnSettingsUpdate } from '@wirewarp/protocol'
import type { Db } from '../db/database.ts'
import { nowIso } from './rows.ts'

const FIELDS = Object.keys(DEFAULT_VPN_SETTINGS) as (keyof VpnSettings)[]
const key = (f: string) => `vpn.${f}`

export async function getVpnSettings(db: Db): Promise<VpnSettings> {
  const rows = await db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where(
      'key',
      'in',
      FIELDS.map((f) => key(f)),
    )
    .execute()
  const settings: Record<string, unknown> = { ...DEFAULT_VPN_SETTINGS }
  for (const r of rows) {
    const field = r.key.slice(4) as keyof VpnSettings
    try {
      const value = JSON.parse(r.value)
      if (VpnSettings.shape[field].safeParse(value).success) settings[field] = value
    } catch {
      // A row written by hand that is not JSON: the default stands.
    }
  }
  return settings as VpnSettings
}

export async function updateVpnSettings(db: Db, patch: VpnSettingsUpdate): Promise<void> {
  const t = nowIso()
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue
    await db
      .insertInto('settings')
      .values({ key: key(field), value: JSON.stringify(value), updatedAt: t })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updatedAt: t }))
      .execute()
  }
}
