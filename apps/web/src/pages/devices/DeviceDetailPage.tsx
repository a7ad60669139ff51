/**
 * One device: its state (polled), facts and client settings; edit, enable or disable, rotate the
 * key, download the config (without the private key) and delete.
 */

import { useMutation } from '@tanstack/react-query'
import { type Device, deviceConfigFileName, OVERRIDE_FIELDS } from '@wirewarp/protocol'
import { useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { fetchDeviceConfig, useDeleteDevice, useDevice, useSetDeviceEnabled } from '../../api/devices.ts'
import { useVpnServers } from '../../api/vpn.ts'
import { useSession } from '../../auth/SessionContext.ts'
import { Alert } from '../../components/Alert.tsx'
import { Badge } from '../../components/Badge.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { DateTime } from '../../components/DateTime.tsx'
import { DetailPage } from '../../components/DetailPage.tsx'
import { FactList, factText, Unknown } from '../../components/FactList.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { RefreshButton } from '../../components/RefreshButton.tsx'
import { Section } from '../../components/Section.tsx'
import { Toggle } from '../../components/Toggle.tsx'
import { downloadText } from '../../files/downloadText.ts'
import { formatBytes } from '../../format/formatBytes.ts'
import { useNow } from '../../format/useNow.ts'
import { DeviceStatusBadge } from './DeviceStatusBadge.tsx'
import { EditDeviceDialog } from './EditDeviceDialog.tsx'
import { overrideLabels, settingText } from './overrideValues.ts'
import { RotateKeyDialog } from './RotateKeyDialog.tsx'
import { useDeviceRights } from './useDeviceRights.ts'

const backClass =
  'mb-2 inline-block text-sm font-medium text-zinc-600 hover:text-zinc-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-zinc-400 dark:hover:text-white'

function BackLink({ toAll = false }: { toAll?: boolean }) {
  return (
    <Link to={toAll ? '/admin/devices' : '/devices'} className={backClass}>
      ← {toAll ? 'Devices' : 'My devices'}
    </Link>
  )
}

export function DeviceDetailPage() {
  // Owned here: once deleted, the page leaves for the list instead of saying "does not exist".
  const remove = useDeleteDevice()
  return (
    <DetailPage
      useItem={useDevice}
      noun="device"
      title="Device"
      back={<BackLink />}
      list={{ to: '/devices', label: 'Go to your devices' }}
      goneHint="It may have been deleted."
      keepOnError={remove.isPending || remove.isSuccess}
    >
      {(device) => <DeviceDetail key={device.id} device={device} remove={remove} />}
    </DetailPage>
  )
}

type Open = 'edit' | 'rotate' | 'delete' | null

function DeviceDetail({ device, remove }: { device: Device; remove: ReturnType<typeof useDeleteDevice> }) {
  const me = useSession()
  const now = useNow(1_000)
  const navigate = useNavigate()
  const rights = useDeviceRights()
  const servers = useVpnServers()
  const setEnabled = useSetDeviceEnabled()
  const [open, setOpen] = useState<Open>(null)
  const defaults = servers.data?.items.find((s) => s.id === device.tunnelServerId)?.clientDefaults
  const mine = device.userId === me.id
  const download = useMutation({
    mutationFn: () => fetchDeviceConfig(device.id),
    onSuccess: (config) => downloadText(config, deviceConfigFileName(device.name)),
  })
  // The same query as the page's: to refresh the stats now instead of at the next poll.
  const live = useDevice(device.id)
  const s = device.stats

  return (
    <>
      <BackLink toAll={!mine && me.role === 'admin'} />
      <PageHeader
        title={device.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <DeviceStatusBadge device={device} />
            <span>on {device.tunnelServerName}</span>
            {!mine && <span>· {device.userEmail}</span>}
            {device.description && <span>· {device.description}</span>}
          </span>
        }
        actions={
          <>
            <Button onClick={() => setOpen('edit')}>Edit</Button>
            {rights.manage && <Button onClick={() => setOpen('rotate')}>Rotate key</Button>}
            {rights.manage && (
              <Button tone="danger" onClick={() => setOpen('delete')}>
                Delete device
              </Button>
            )}
          </>
        }
      />

      <div className="space-y-6">
        {device.inactiveReason === 'user_disabled' && device.enabled && (
          <Alert tone="warning" title="The owner’s account is disabled">
            The device cannot connect until an admin enables {device.userEmail} again.
          </Alert>
        )}
        {setEnabled.error && <Alert>{setEnabled.error.message}</Alert>}

        <div className="grid gap-6 lg:grid-cols-2">
          <Section
            title="Connection"
            actions={
              // Polled every 10 s; the button is for the impatient.
              <span className="inline-flex items-center gap-1 text-xs text-zinc-500 dark:text-zinc-400">
                {s.updatedAt ? (
                  <>
                    Sampled <DateTime iso={s.updatedAt} now={now} />
                  </>
                ) : (
                  'Not sampled yet'
                )}
                <RefreshButton label="Refresh" onClick={() => live.refetch()} busy={live.isFetching} />
              </span>
            }
          >
            <FactList
              rows={[
                [
                  'Enabled',
                  <span key="enabled" className="inline-flex items-center gap-2">
                    <Toggle
                      label="Enabled"
                      checked={device.enabled}
                      disabled={setEnabled.isPending || !rights.manage}
                      onChange={(enabled) => setEnabled.mutate({ id: device.id, enabled })}
                    />
                    <span className="text-xs text-zinc-500 dark:text-zinc-400">
                      {device.enabled ? 'May connect' : 'Kept, but cannot connect'}
                    </span>
                  </span>,
                ],
                ['Status', <DeviceStatusBadge key="status" device={device} />],
                ['Last handshake', <DateTime key="handshake" iso={s.latestHandshakeAt} empty="Never" now={now} />],
                ['Connects from', factText(s.endpoint, true)],
                [
                  'Received',
                  <span key="rx" className="tabular-nums">
                    {formatBytes(s.rxBytes)}
                  </span>,
                ],
                [
                  'Sent',
                  <span key="tx" className="tabular-nums">
                    {formatBytes(s.txBytes)}
                  </span>,
                ],
              ]}
            />
          </Section>

          <Section title="Device">
            <FactList
              rows={[
                ['Owner', device.userEmail],
                ['Tunnel server', device.tunnelServerName],
                ['IPv4 address', factText(device.ipv4, true)],
                ['IPv6 address', factText(device.ipv6, true)],
                [
                  'Public key',
                  <span key="pk" data-testid="device-public-key" className="font-mono text-xs break-all">
                    {device.publicKey}
                  </span>,
                ],
                ['Preshared key', device.hasPresharedKey ? 'Yes' : 'No'],
                ['Added', <DateTime key="created" iso={device.createdAt} />],
                ['Changed', <DateTime key="updated" iso={device.updatedAt} />],
              ]}
            />
          </Section>
        </div>

        <div className="grid gap-6 lg:grid-cols-2">
          <Section title="Client settings">
            <FactList
              rows={OVERRIDE_FIELDS.map((field) => {
                const text = settingText(field, device.settings)
                const own = device.overrides[field] !== null
                return [
                  overrideLabels[field],
                  <span key={field} className="flex flex-wrap items-center gap-2">
                    {text ? <span className="font-mono text-xs break-all">{text}</span> : <Unknown>None</Unknown>}
                    <Badge tone={own ? 'sky' : 'neutral'}>{own ? 'Own' : 'Default'}</Badge>
                  </span>,
                ]
              })}
            />
          </Section>

          <Section title="Config">
            <div className="space-y-3 rounded-lg border border-zinc-200 bg-white p-4 text-sm text-zinc-700 shadow-sm dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-300">
              <p>
                The config from here has <strong>no private key</strong>: the key was made in the browser that added the
                device, and the server never had it. Put the key in its{' '}
                <span className="font-mono text-xs">PrivateKey</span> line, or rotate the key to get a complete config
                with a QR code.
              </p>
              <div className="flex flex-wrap items-center gap-2">
                <Button onClick={() => download.mutate()} pending={download.isPending}>
                  Download config
                </Button>
              </div>
              {download.error && <Alert>{download.error.message}</Alert>}
            </div>
          </Section>
        </div>
      </div>

      <EditDeviceDialog
        open={open === 'edit'}
        onClose={() => setOpen(null)}
        device={device}
        defaults={defaults}
        canConfigure={rights.configure}
      />
      <RotateKeyDialog open={open === 'rotate'} onClose={() => setOpen(null)} device={device} />
      <ConfirmDialog
        open={open === 'delete'}
        title="Delete this device?"
        confirmLabel="Delete device"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => {
          setOpen(null)
          remove.reset()
        }}
        onConfirm={() =>
          remove.mutate(device.id, {
            onSuccess: () => navigate(mine || me.role !== 'admin' ? '/devices' : '/admin/devices', { replace: true }),
          })
        }
      >
        <p>
          <strong>{device.name}</strong> can no longer connect as soon as the server applies the change, and its address
          may go to another device. This cannot be undone; to keep it for later, disable it instead.
        </p>
      </ConfirmDialog>
    </>
  )
}
