/**
 * The settings of a tunnel client: name, the server it connects to, its tunnel IP, and whether it
 * is a gateway for its LAN (then also the LAN networks and its own address on them).
 */
import { type TunnelClient, TunnelClientUpdate, type TunnelServer } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { useUpdateTunnelClient } from '../../api/tunnels.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { CheckboxField, Field, inputClass, selectClass } from '../../components/Field.tsx'
import { formatList, parseList, sameList } from '../../forms/parseList.ts'
import { useFormErrors } from '../../forms/useFormErrors.ts'

const GATEWAY_HELP =
  'Routes the internet traffic of the networks below through the tunnel server, so they go out from its public IP; ' +
  'also lets the tunnel server reach those networks for port forwards. Leave off for a single host.'

interface Values {
  name: string
  /** '' for "Not connected". */
  tunnelServerId: string
  tunnelIp: string
  isGateway: boolean
  lanNetworks: string
  lanIp: string
}

function valuesOf(c: TunnelClient): Values {
  return {
    name: c.name,
    tunnelServerId: c.tunnelServerId ?? '',
    tunnelIp: c.tunnelIp ?? '',
    isGateway: c.isGateway,
    lanNetworks: formatList(c.lanNetworks, '\n'),
    lanIp: c.lanIp ?? '',
  }
}

/** Only what changed; LAN settings only while "Is gateway" is on, so turning it off keeps them for later. */
function patchOf(c: TunnelClient, v: Values): TunnelClientUpdate {
  const patch: TunnelClientUpdate = {}
  const orNull = (text: string) => (text.trim() === '' ? null : text.trim())
  if (v.name !== c.name) patch.name = v.name
  const serverId = v.tunnelServerId || null
  if (serverId !== c.tunnelServerId) patch.tunnelServerId = serverId
  // Moving to another server with the old address untouched: leave it out, and the server hands out a
  // free one in the new network. Empty means "allocate" (null) either way.
  const tunnelIp = orNull(v.tunnelIp)
  if (serverId !== null && tunnelIp !== c.tunnelIp) patch.tunnelIp = tunnelIp
  if (v.isGateway !== c.isGateway) patch.isGateway = v.isGateway
  if (v.isGateway) {
    const lanNetworks = parseList(v.lanNetworks)
    if (!sameList(lanNetworks, c.lanNetworks)) patch.lanNetworks = lanNetworks
    if (orNull(v.lanIp) !== c.lanIp) patch.lanIp = orNull(v.lanIp)
  }
  return patch
}

export function TunnelClientForm({ client, servers }: { client: TunnelClient; servers: TunnelServer[] }) {
  const update = useUpdateTunnelClient()
  const [values, setValues] = useState(() => valuesOf(client))
  // LAN errors belong under the LAN fields only while they are shown; otherwise above the form.
  const shownFields = [
    'name',
    'tunnelServerId',
    'tunnelIp',
    'isGateway',
    ...(values.isGateway ? ['lanNetworks', 'lanIp'] : []),
  ]
  const errors = useFormErrors(update.error, shownFields, { lanNetworks: 'LAN networks', lanIp: 'LAN IP' })
  const set = <K extends keyof Values>(field: K, value: Values[K]) => {
    setValues((v) => ({ ...v, [field]: value }))
    if (update.isSuccess) update.reset()
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const patch = patchOf(client, values)
    const ok = errors.check(TunnelClientUpdate, patch, {
      lists: { lanNetworks: patch.lanNetworks },
      form: {
        // The server refuses it too; say so beside the field before sending.
        lanNetworks:
          values.isGateway &&
          parseList(values.lanNetworks).length === 0 &&
          'A gateway needs at least one LAN network, such as 192.168.1.0/24',
      },
    })
    if (!ok) return
    if (Object.keys(patch).length === 0) return
    // Show what the server stored: an allocated tunnel IP, the networks as it keeps them.
    update.mutate({ id: client.id, patch }, { onSuccess: (saved) => setValues(valuesOf(saved)) })
  }

  const connected = values.tunnelServerId !== ''
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label="Tunnel client settings"
      className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      {errors.message && <Alert>{errors.message}</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" name="name" error={errors.fields.name} className="sm:col-span-2">
          {(control) => (
            <input
              {...control}
              className={inputClass}
              autoComplete="off"
              value={values.name}
              onChange={(e) => set('name', e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Connect to"
          name="tunnelServerId"
          error={errors.fields.tunnelServerId}
          hint="Moving the client to another server gives it an address in that server's tunnel network."
        >
          {(control) => (
            <select
              {...control}
              className={selectClass}
              value={values.tunnelServerId}
              onChange={(e) => set('tunnelServerId', e.target.value)}
            >
              <option value="">Not connected</option>
              {servers.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                  {s.publicIp ? ` (${s.publicIp})` : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Tunnel IP (optional)"
          name="tunnelIp"
          error={errors.fields.tunnelIp}
          hint={
            connected
              ? "Leave empty to take a free address of the server's tunnel network."
              : 'A client that is not connected has no tunnel IP.'
          }
        >
          {(control) => (
            <input
              {...control}
              className={`${inputClass} font-mono`}
              placeholder={connected ? 'Allocated automatically' : undefined}
              autoComplete="off"
              spellCheck={false}
              disabled={!connected}
              value={connected ? values.tunnelIp : ''}
              onChange={(e) => set('tunnelIp', e.target.value)}
            />
          )}
        </Field>
      </div>

      <div className="space-y-4 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <CheckboxField
          label="Is gateway"
          name="isGateway"
          description={GATEWAY_HELP}
          checked={values.isGateway}
          onChange={(checked) => set('isGateway', checked)}
          error={errors.fields.isGateway}
        />
        {values.isGateway && (
          <div className="grid gap-4 sm:grid-cols-2">
            <Field
              label="LAN networks"
              name="lanNetworks"
              error={errors.fields.lanNetworks}
              hint="The networks behind this client, in CIDR form: one per line or separated by commas."
            >
              {(control) => (
                <textarea
                  {...control}
                  rows={3}
                  className={`${inputClass} font-mono`}
                  placeholder="192.168.1.0/24"
                  spellCheck={false}
                  value={values.lanNetworks}
                  onChange={(e) => set('lanNetworks', e.target.value)}
                />
              )}
            </Field>
            <Field
              label="LAN IP"
              name="lanIp"
              error={errors.fields.lanIp}
              hint="This host's own address on one of those networks."
            >
              {(control) => (
                <input
                  {...control}
                  className={`${inputClass} font-mono`}
                  placeholder="192.168.1.2"
                  autoComplete="off"
                  spellCheck={false}
                  value={values.lanIp}
                  onChange={(e) => set('lanIp', e.target.value)}
                />
              )}
            </Field>
          </div>
        )}
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
