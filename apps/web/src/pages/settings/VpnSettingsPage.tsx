/** The VPN's settings (admin): the default policy, what users may do with their devices, and how many they may have. */
import { type VpnSettings, VpnSettingsUpdate } from '@wirewarp/protocol'
import { type FormEvent, useState } from 'react'
import { Link } from 'react-router'
import { useTunnelServers } from '../../api/tunnels.ts'
import { useUpdateVpnSettings, useVpnSettings } from '../../api/vpn.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { CheckboxField, Field, inputClass, selectClass } from '../../components/Field.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Section } from '../../components/Section.tsx'
import { requiredNumber } from '../../forms/numberInput.ts'
import { useFormErrors } from '../../forms/useFormErrors.ts'

const linkClass =
  'font-medium text-sky-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400'

const description = 'How the remote-access VPN treats users and their devices.'

export function VpnSettingsPage() {
  const settings = useVpnSettings()
  return (
    <>
      <PageHeader title="VPN settings" description={description} />
      {settings.isPending ? (
        <Loading />
      ) : settings.isError ? (
        <LoadError error={settings.error} onRetry={() => settings.refetch()} />
      ) : (
        <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
          <Section title="Settings">
            <VpnSettingsForm settings={settings.data} />
          </Section>
          <ClientDefaultsLinks />
        </div>
      )}
    </>
  )
}

const shownFields = ['defaultPolicy', 'usersMayManageDevices', 'usersMayConfigureDevices', 'maxDevicesPerUser'] as const

function VpnSettingsForm({ settings }: { settings: VpnSettings }) {
  const update = useUpdateVpnSettings()
  const errors = useFormErrors(update.error, shownFields)
  const [defaultPolicy, setDefaultPolicy] = useState(settings.defaultPolicy)
  const [manage, setManage] = useState(settings.usersMayManageDevices)
  const [configure, setConfigure] = useState(settings.usersMayConfigureDevices)
  const [maxDevices, setMaxDevices] = useState(String(settings.maxDevicesPerUser))
  const changed = () => update.isSuccess && update.reset()

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    const patch = {
      defaultPolicy,
      usersMayManageDevices: manage,
      usersMayConfigureDevices: configure,
      maxDevicesPerUser: requiredNumber(maxDevices),
    }
    if (errors.check(VpnSettingsUpdate, patch)) update.mutate(patch)
  }

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label="VPN settings"
      className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      {errors.message && <Alert>{errors.message}</Alert>}
      <Field
        label="Default policy"
        name="defaultPolicy"
        error={errors.fields.defaultPolicy}
        hint="For device traffic that no rule matches."
      >
        {(control) => (
          <select
            {...control}
            className={selectClass}
            value={defaultPolicy}
            onChange={(e) => {
              setDefaultPolicy(e.target.value as VpnSettings['defaultPolicy'])
              changed()
            }}
          >
            <option value="accept">Accept: devices reach everything no rule drops</option>
            <option value="drop">Drop: devices reach only what a rule accepts</option>
          </select>
        )}
      </Field>
      <div className="space-y-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <CheckboxField
          label="Users may add and delete their devices"
          name="usersMayManageDevices"
          description="Also rotate their keys. Without it, only admins do, on the Devices page."
          checked={manage}
          onChange={(v) => {
            setManage(v)
            changed()
          }}
          error={errors.fields.usersMayManageDevices}
        />
        <CheckboxField
          label="Users may configure their devices"
          name="usersMayConfigureDevices"
          description="Set a device’s own endpoint, DNS, allowed IPs, MTU and keepalive instead of the server’s defaults."
          checked={configure}
          onChange={(v) => {
            setConfigure(v)
            changed()
          }}
          error={errors.fields.usersMayConfigureDevices}
        />
      </div>
      <Field
        label="Devices per user"
        name="maxDevicesPerUser"
        error={errors.fields.maxDevicesPerUser}
        hint="0 for no limit. Admins are not limited."
      >
        {(control) => (
          <input
            {...control}
            type="number"
            inputMode="numeric"
            min={0}
            className={`${inputClass} max-w-40`}
            value={maxDevices}
            onChange={(e) => {
              setMaxDevices(e.target.value)
              changed()
            }}
          />
        )}
      </Field>
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

/** Client defaults live with each tunnel server: point there. */
function ClientDefaultsLinks() {
  const servers = useTunnelServers()
  return (
    <Section title="Client defaults">
      <div className="space-y-2 rounded-lg border border-zinc-200 bg-white p-4 text-sm text-zinc-700 shadow-sm dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-300">
        <p>
          Each tunnel server has its own device network, endpoint, DNS, allowed IPs, keepalive and MTU for new devices.
        </p>
        {servers.data && servers.data.items.length > 0 ? (
          <ul className="space-y-1">
            {servers.data.items.map((s) => (
              <li key={s.id}>
                <Link to={`/tunnel-servers/${encodeURIComponent(s.id)}#device-defaults`} className={linkClass}>
                  {s.name}
                </Link>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-zinc-500 dark:text-zinc-400">No tunnel server yet.</p>
        )}
      </div>
    </Section>
  )
}
