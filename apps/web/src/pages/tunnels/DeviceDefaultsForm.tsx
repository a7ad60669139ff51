/**
 * What users' devices on a tunnel server get unless a device says otherwise: their network, the
 * endpoint, DNS, allowed IPs, keepalive and MTU of their configs.
 */
import { type TunnelServer, TunnelServerUpdate } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useUpdateTunnelServer } from '../../api/tunnels.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { type ControlProps, Field, inputClass } from '../../components/Field.tsx'
import { requiredNumber } from '../../forms/numberInput.ts'
import { formatList, parseList, sameList } from '../../forms/parseList.ts'
import { useFormErrors } from '../../forms/useFormErrors.ts'

const shownFields = [
  'deviceNetworkV4',
  'deviceNetworkV6',
  'clientEndpoint',
  'dns',
  'clientAllowedIps',
  'clientKeepalive',
  'clientMtu',
] as const

type Values = Record<(typeof shownFields)[number], string>

function valuesOf(s: TunnelServer): Values {
  return {
    deviceNetworkV4: s.deviceNetworkV4,
    deviceNetworkV6: s.deviceNetworkV6 ?? '',
    clientEndpoint: s.clientEndpoint ?? '',
    dns: formatList(s.dns),
    clientAllowedIps: formatList(s.clientAllowedIps),
    clientKeepalive: String(s.clientKeepalive),
    clientMtu: s.clientMtu === null ? '' : String(s.clientMtu),
  }
}

/** Only what changed, like the server's own settings form. */
function patchOf(s: TunnelServer, v: Values): TunnelServerUpdate {
  const patch: TunnelServerUpdate = {}
  const orNull = (text: string) => (text.trim() === '' ? null : text.trim())
  if (v.deviceNetworkV4.trim() !== s.deviceNetworkV4) patch.deviceNetworkV4 = v.deviceNetworkV4.trim()
  if (orNull(v.deviceNetworkV6) !== s.deviceNetworkV6) patch.deviceNetworkV6 = orNull(v.deviceNetworkV6)
  if (orNull(v.clientEndpoint) !== s.clientEndpoint) patch.clientEndpoint = orNull(v.clientEndpoint)
  const dns = parseList(v.dns)
  if (!sameList(dns, s.dns)) patch.dns = dns
  const allowed = parseList(v.clientAllowedIps)
  if (!sameList(allowed, s.clientAllowedIps)) patch.clientAllowedIps = allowed
  if (v.clientKeepalive !== String(s.clientKeepalive)) patch.clientKeepalive = requiredNumber(v.clientKeepalive)
  const mtu = v.clientMtu.trim() === '' ? null : requiredNumber(v.clientMtu)
  if (mtu !== s.clientMtu) patch.clientMtu = mtu
  return patch
}

export function DeviceDefaultsForm({ server }: { server: TunnelServer }) {
  const update = useUpdateTunnelServer()
  const errors = useFormErrors(update.error, shownFields)
  const [values, setValues] = useState(() => valuesOf(server))
  const set = (field: keyof Values) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: e.target.value }))
    if (update.isSuccess) update.reset()
  }
  const d = server.clientDefaults

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const patch = patchOf(server, values)
    const lists = { dns: patch.dns, clientAllowedIps: patch.clientAllowedIps }
    if (!errors.check(TunnelServerUpdate, patch, { lists })) return
    if (Object.keys(patch).length === 0) return
    update.mutate({ id: server.id, patch }, { onSuccess: (saved) => setValues(valuesOf(saved)) })
  }
  const text =
    (field: keyof Values, extra: { placeholder?: string; numeric?: boolean } = {}) =>
    (control: ControlProps) => (
      <input
        {...control}
        className={`${inputClass} font-mono`}
        type={extra.numeric ? 'number' : 'text'}
        inputMode={extra.numeric ? 'numeric' : undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder={extra.placeholder}
        value={values[field]}
        onChange={set(field)}
      />
    )

  return (
    <form
      id="device-defaults"
      onSubmit={onSubmit}
      noValidate
      aria-label="Device defaults"
      className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      {errors.message && <Alert>{errors.message}</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="Device network (IPv4)"
          name="deviceNetworkV4"
          error={errors.fields.deviceNetworkV4}
          hint="Devices get their addresses here; keep it apart from the tunnel network and your LANs."
        >
          {text('deviceNetworkV4', { placeholder: '100.96.0.0/16' })}
        </Field>
        <Field
          label="Device network (IPv6, optional)"
          name="deviceNetworkV6"
          error={errors.fields.deviceNetworkV6}
          hint="Leave empty for IPv4-only devices."
        >
          {text('deviceNetworkV6', { placeholder: 'fd00:96::/64' })}
        </Field>
        <Field
          label="Endpoint"
          name="clientEndpoint"
          error={errors.fields.clientEndpoint}
          hint={
            server.clientEndpoint === null && d.endpoint
              ? `Empty: the public IP and WireGuard port (${d.endpoint}). Set a DNS name to survive a new IP.`
              : 'host:port devices connect to; empty for the public IP and WireGuard port.'
          }
        >
          {text('clientEndpoint', { placeholder: 'vpn.example.com:51820' })}
        </Field>
        <Field
          label="DNS"
          name="dns"
          error={errors.fields.dns}
          hint="Up to 4 addresses, separated by commas; empty to leave devices' DNS alone."
        >
          {text('dns', { placeholder: '1.1.1.1, 9.9.9.9' })}
        </Field>
        <Field
          label="Allowed IPs"
          name="clientAllowedIps"
          error={errors.fields.clientAllowedIps}
          hint="What devices route through the VPN: 0.0.0.0/0, ::/0 for all traffic, or only your LANs."
          className="sm:col-span-2"
        >
          {text('clientAllowedIps', { placeholder: '0.0.0.0/0, ::/0' })}
        </Field>
        <Field
          label="Keepalive (seconds)"
          name="clientKeepalive"
          error={errors.fields.clientKeepalive}
          hint="Keeps NAT on the device's side open; 0 for none."
        >
          {text('clientKeepalive', { numeric: true })}
        </Field>
        <Field
          label="MTU"
          name="clientMtu"
          error={errors.fields.clientMtu}
          hint={`Empty: the server's MTU (${server.mtu}). Lower it for phones on mobile networks if pages stall.`}
        >
          {text('clientMtu', { numeric: true, placeholder: String(server.mtu) })}
        </Field>
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Devices pick up changes when their config is set up again; a device’s own values win over these.
      </p>
      <div className="flex items-center justify-end gap-3">
        {update.isSuccess && (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Defaults updated.
          </p>
        )}
        {/* Not "Save": the server's settings form above has that button, and one word should mean one form. */}
        <Button type="submit" tone="primary" pending={update.isPending}>
          Update defaults
        </Button>
      </div>
    </form>
  )
}
