/**
 * The advanced part of a device form: endpoint, DNS, allowed IPs, MTU and keepalive, each either the
 * tunnel server's default (shown) or the device's own value.
 */
import { type ClientSettings, OVERRIDE_FIELDS } from '@wirewarp/protocol'
import { useId } from 'react'
import { checkboxClass, FieldError, inputClass } from '../../components/Field.tsx'
import { type OverrideField, type OverrideValues, overrideLabels, settingText } from './overrideValues.ts'

const hints: Record<OverrideField, string> = {
  endpoint: 'host:port the device sends its WireGuard packets to.',
  dns: 'Up to 4 addresses, separated by commas; empty to leave the device’s DNS alone.',
  allowedIps: 'Networks the device routes through the VPN; 0.0.0.0/0, ::/0 for all traffic.',
  mtu: 'From 1280 to 9000.',
  persistentKeepalive: 'Seconds between keepalives, so NAT keeps the tunnel open; 0 for none.',
}

const placeholders: Record<OverrideField, string> = {
  endpoint: 'vpn.example.com:51820',
  dns: '1.1.1.1, 9.9.9.9',
  allowedIps: '10.0.0.0/8, 192.168.1.0/24',
  mtu: '1420',
  persistentKeepalive: '25',
}

const numeric: readonly OverrideField[] = ['mtu', 'persistentKeepalive']

export function OverrideFields({
  values,
  onChange,
  defaults,
  errors,
}: {
  values: OverrideValues
  onChange: (values: OverrideValues) => void
  defaults: ClientSettings
  errors: Record<string, string>
}) {
  return (
    <div className="space-y-4" data-testid="device-overrides">
      {OVERRIDE_FIELDS.map((field) => (
        <OverrideRow
          key={field}
          field={field}
          value={values[field]}
          shown={settingText(field, defaults)}
          error={errors[field]}
          onChange={(patch) => onChange({ ...values, [field]: { ...values[field], ...patch } })}
        />
      ))}
    </div>
  )
}

function OverrideRow({
  field,
  value,
  shown,
  error,
  onChange,
}: {
  field: OverrideField
  value: OverrideValues[OverrideField]
  /** The default's text; empty when there is none. */
  shown: string
  error: string | undefined
  onChange: (patch: Partial<OverrideValues[OverrideField]>) => void
}) {
  const id = useId()
  const hintId = `${id}-hint`
  const errorId = error ? `${id}-error` : undefined
  return (
    <div>
      <div className="mb-1 flex flex-wrap items-center justify-between gap-x-3 gap-y-1">
        <label
          htmlFor={value.useDefault ? `${id}-default` : id}
          className="text-sm font-medium text-zinc-800 dark:text-zinc-200"
        >
          {overrideLabels[field]}
        </label>
        <span className="inline-flex items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400">
          <input
            id={`${id}-default`}
            name={`${field}-default`}
            type="checkbox"
            className={checkboxClass}
            checked={value.useDefault}
            // Own values start from the default: most changes are small (one more DNS server).
            onChange={(e) =>
              onChange(e.target.checked ? { useDefault: true } : { useDefault: false, text: value.text || shown })
            }
          />
          <label htmlFor={`${id}-default`}>Use the server’s default</label>
        </span>
      </div>
      {value.useDefault ? (
        <p className="font-mono text-xs break-all text-zinc-500 dark:text-zinc-400" data-testid={`default-${field}`}>
          {shown || (field === 'endpoint' ? 'None yet: the server has no public IP' : 'None')}
        </p>
      ) : (
        <>
          <input
            id={id}
            name={field}
            aria-invalid={Boolean(error)}
            aria-describedby={errorId ?? hintId}
            className={`${inputClass} font-mono`}
            type={numeric.includes(field) ? 'number' : 'text'}
            inputMode={numeric.includes(field) ? 'numeric' : undefined}
            autoComplete="off"
            spellCheck={false}
            placeholder={placeholders[field]}
            value={value.text}
            onChange={(e) => onChange({ text: e.target.value })}
          />
          {!error && (
            <p id={hintId} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
              {hints[field]}
            </p>
          )}
        </>
      )}
      <FieldError id={errorId} name={field} error={error} />
    </div>
  )
}
