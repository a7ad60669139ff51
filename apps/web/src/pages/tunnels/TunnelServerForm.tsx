/** The settings of a tunnel server: name, public address, WireGuard port and interface, networks, MTU. */
import { type TunnelServer, TunnelServerUpdate } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useUpdateTunnelServer } from '../../api/tunnels.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { type ControlProps, Field, inputClass } from '../../components/Field.tsx'
import { requiredNumber } from '../../forms/numberInput.ts'
import { useFormErrors } from '../../forms/useFormErrors.ts'

const shownFields = [
  'name',
  'publicIp',
  'publicInterface',
  'wgPort',
  'wgInterface',
  'tunnelNetworkV4',
  'tunnelNetworkV6',
  'mtu',
] as const

type Values = Record<(typeof shownFields)[number], string>

function valuesOf(s: TunnelServer): Values {
  return {
    name: s.name,
    publicIp: s.publicIp ?? '',
    publicInterface: s.publicInterface ?? '',
    wgPort: String(s.wgPort),
    wgInterface: s.wgInterface,
    tunnelNetworkV4: s.tunnelNetworkV4,
    tunnelNetworkV6: s.tunnelNetworkV6 ?? '',
    mtu: String(s.mtu),
  }
}

/** Only what changed, so saving the MTU never trips a check on the port or the networks. */
function patchOf(s: TunnelServer, v: Values): TunnelServerUpdate {
  const patch: TunnelServerUpdate = {}
  const orNull = (text: string) => (text.trim() === '' ? null : text.trim())
  if (v.name !== s.name) patch.name = v.name
  if (orNull(v.publicIp) !== s.publicIp) patch.publicIp = orNull(v.publicIp)
  if (orNull(v.publicInterface) !== s.publicInterface) patch.publicInterface = orNull(v.publicInterface)
  if (v.wgPort !== String(s.wgPort)) patch.wgPort = requiredNumber(v.wgPort)
  if (v.wgInterface.trim() !== s.wgInterface) patch.wgInterface = v.wgInterface.trim()
  if (v.tunnelNetworkV4.trim() !== s.tunnelNetworkV4) patch.tunnelNetworkV4 = v.tunnelNetworkV4.trim()
  if (orNull(v.tunnelNetworkV6) !== s.tunnelNetworkV6) patch.tunnelNetworkV6 = orNull(v.tunnelNetworkV6)
  if (v.mtu !== String(s.mtu)) patch.mtu = requiredNumber(v.mtu)
  return patch
}

export function TunnelServerForm({ server }: { server: TunnelServer }) {
  const update = useUpdateTunnelServer()
  const errors = useFormErrors(update.error, shownFields)
  const [values, setValues] = useState(() => valuesOf(server))
  const set = (field: keyof Values) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: e.target.value }))
    if (update.isSuccess) update.reset()
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const patch = patchOf(server, values)
    if (!errors.check(TunnelServerUpdate, patch)) return
    if (Object.keys(patch).length === 0) return
    // Show the values as the server stored them (it may normalise an address).
    update.mutate({ id: server.id, patch }, { onSuccess: (saved) => setValues(valuesOf(saved)) })
  }
  const text =
    (field: keyof Values, extra: { placeholder?: string; mono?: boolean; numeric?: boolean } = {}) =>
    (control: ControlProps) => (
      <input
        {...control}
        className={`${inputClass} ${extra.mono ? 'font-mono' : ''}`}
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
      onSubmit={onSubmit}
      noValidate
      aria-label="Tunnel server settings"
      className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      {errors.message && <Alert>{errors.message}</Alert>}
      {!server.publicIp && (
        <div data-testid="no-public-ip">
          <Alert tone="warning" title="No public IP">
            Clients cannot reach this server and its forwards are published nowhere until it has one.
            {server.agentAddress && (
              <span className="mt-2 flex flex-wrap items-center gap-2">
                Its agent connects from <span className="font-mono">{server.agentAddress}</span>.
                <Button
                  size="sm"
                  pending={update.isPending && update.variables?.patch.publicIp === server.agentAddress}
                  onClick={() =>
                    update.mutate(
                      { id: server.id, patch: { publicIp: server.agentAddress } },
                      { onSuccess: (saved) => setValues((v) => ({ ...v, publicIp: saved.publicIp ?? '' })) },
                    )
                  }
                >
                  Use {server.agentAddress}
                </Button>
              </span>
            )}
          </Alert>
        </div>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" name="name" error={errors.fields.name} className="sm:col-span-2">
          {text('name')}
        </Field>
        <Field
          label="Public IP"
          name="publicIp"
          error={errors.fields.publicIp}
          hint="The address clients connect to and forwards are published on."
        >
          {text('publicIp', { placeholder: '203.0.113.10', mono: true })}
        </Field>
        <Field
          label="Public interface"
          name="publicInterface"
          error={errors.fields.publicInterface}
          hint="The network interface that holds the public IP."
        >
          {text('publicInterface', { placeholder: 'eth0', mono: true })}
        </Field>
        <Field label="WireGuard port" name="wgPort" error={errors.fields.wgPort} hint="UDP; open it in the firewall.">
          {text('wgPort', { numeric: true })}
        </Field>
        <Field label="WireGuard interface" name="wgInterface" error={errors.fields.wgInterface}>
          {text('wgInterface', { placeholder: 'wg0', mono: true })}
        </Field>
        <Field
          label="Tunnel network (IPv4)"
          name="tunnelNetworkV4"
          error={errors.fields.tunnelNetworkV4}
          hint="The server takes the first address, clients the next ones."
        >
          {text('tunnelNetworkV4', { placeholder: '10.99.0.0/24', mono: true })}
        </Field>
        <Field
          label="Tunnel network (IPv6, optional)"
          name="tunnelNetworkV6"
          error={errors.fields.tunnelNetworkV6}
          hint="Leave empty for an IPv4-only tunnel."
        >
          {text('tunnelNetworkV6', { placeholder: 'fd00:99::/64', mono: true })}
        </Field>
        <Field
          label="MTU"
          name="mtu"
          error={errors.fields.mtu}
          hint="1420 fits any Ethernet path; lower it if large packets stall."
        >
          {text('mtu', { numeric: true })}
        </Field>
      </div>
      <div className="flex items-center justify-end gap-3">
        {update.isSuccess && (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Saved.
          </p>
        )}
        <Button type="submit" tone="primary" pending={update.isPending}>
          Save
        </Button>
      </div>
    </form>
  )
}
