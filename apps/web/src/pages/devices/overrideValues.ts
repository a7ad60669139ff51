/**
 * A device's own client settings as a form edits them: per field, whether it uses the tunnel
 * server's default, and the text typed for its own value; and back into the API's fields.
 */
import type { ClientSettings, DeviceOverrides, OVERRIDE_FIELDS } from '@wirewarp/protocol'
import { requiredNumber } from '../../forms/numberInput.ts'
import { formatList, parseList } from '../../forms/parseList.ts'

export type OverrideField = (typeof OVERRIDE_FIELDS)[number]
export type OverrideValues = Record<OverrideField, { useDefault: boolean; text: string }>
export type OverrideBody = { [F in OverrideField]: DeviceOverrides[F] }

export const overrideLabels: Record<OverrideField, string> = {
  endpoint: 'Endpoint',
  dns: 'DNS servers',
  allowedIps: 'Allowed IPs',
  mtu: 'MTU',
  persistentKeepalive: 'Keepalive (seconds)',
}

/** A setting as the form and the defaults show it. */
export function settingText(field: OverrideField, s: ClientSettings): string {
  switch (field) {
    case 'endpoint':
      return s.endpoint ?? ''
    case 'dns':
      return formatList(s.dns)
    case 'allowedIps':
      return formatList(s.allowedIps)
    case 'mtu':
      return String(s.mtu)
    case 'persistentKeepalive':
      return String(s.persistentKeepalive)
  }
}

/**
 * Starts from the device's own values. A field that uses the default has no text of its own: when
 * it is switched to an own value, it starts from the default then shown (the server's may change).
 */
export function overrideValues(own: DeviceOverrides | null): OverrideValues {
  const value = <F extends OverrideField>(field: F, format: (v: NonNullable<DeviceOverrides[F]>) => string) => {
    const mine = own?.[field] ?? null
    return { useDefault: mine === null, text: mine === null ? '' : format(mine as NonNullable<DeviceOverrides[F]>) }
  }
  return {
    endpoint: value('endpoint', (v) => v),
    dns: value('dns', formatList),
    allowedIps: value('allowedIps', formatList),
    mtu: value('mtu', String),
    persistentKeepalive: value('persistentKeepalive', String),
  }
}

/** Null for each field that uses the default; the typed value otherwise (NaN for a bad number, which the schema names). */
export function overrideBody(v: OverrideValues): OverrideBody {
  const own = <T>(field: OverrideField, parse: (text: string) => T): T | null =>
    v[field].useDefault ? null : parse(v[field].text)
  return {
    endpoint: own('endpoint', (t) => t.trim()),
    dns: own('dns', parseList),
    allowedIps: own('allowedIps', parseList),
    mtu: own('mtu', requiredNumber),
    persistentKeepalive: own('persistentKeepalive', requiredNumber),
  }
}

/** The list fields of a body, so an item's error shows under its list ("8.8.8: Must be an IPv4…"). */
export function overrideLists(body: OverrideBody): Record<string, readonly string[] | undefined> {
  return { dns: body.dns ?? undefined, allowedIps: body.allowedIps ?? undefined }
}
