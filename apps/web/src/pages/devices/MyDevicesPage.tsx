/** The signed-in user's own devices on the VPN: list with live state, and "Add device". */
import { useState } from 'react'
import { useDevices } from '../../api/devices.ts'
import { PAGE_SIZE } from '../../api/Page.ts'
import { useVpnServers } from '../../api/vpn.ts'
import { useSession } from '../../auth/SessionContext.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pagination } from '../../components/Pagination.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { AddDeviceDialog } from './AddDeviceDialog.tsx'
import { DeviceTable } from './DeviceTable.tsx'
import { useDeviceRights } from './useDeviceRights.ts'

const description = 'Phones and computers that reach your network through the VPN with the WireGuard app.'

export function MyDevicesPage() {
  const me = useSession()
  const [offset, setOffset] = useState(0)
  // Admins see everyone's devices on their own page; here, only their own.
  const devices = useDevices({ userId: me.role === 'admin' ? me.id : undefined, limit: PAGE_SIZE, offset })
  const servers = useVpnServers()
  const rights = useDeviceRights()
  const [adding, setAdding] = useState(false)

  const serverList = servers.data?.items ?? []
  const canAdd = rights.manage && serverList.length > 0
  const addButton = canAdd && (
    <Button tone="primary" onClick={() => setAdding(true)}>
      Add device
    </Button>
  )

  return (
    <>
      <PageHeader title="My devices" description={description} actions={addButton} />
      {servers.isSuccess && serverList.length === 0 && (
        <div className="mb-4">
          <Alert tone="info" title="The VPN has no tunnel server yet">
            {me.role === 'admin'
              ? 'Devices connect through a tunnel server: add a server agent on the Agents page first.'
              : 'Devices connect through a tunnel server, and an admin has not set one up yet.'}
          </Alert>
        </div>
      )}
      {servers.isError && (
        <div className="mb-4">
          <Alert>Could not load the tunnel servers: {servers.error.message}</Alert>
        </div>
      )}

      {devices.isPending ? (
        <Loading />
      ) : devices.isError ? (
        <LoadError error={devices.error} onRetry={() => devices.refetch()} />
      ) : devices.data.items.length === 0 ? (
        <EmptyState title="No devices yet" action={addButton}>
          {canAdd
            ? 'Add your phone or laptop: you get a QR code to scan with the WireGuard app, or a file to import.'
            : rights.manage || serverList.length === 0
              ? 'Once a tunnel server is set up, you can add your phone or laptop here.'
              : 'Only an admin can add devices here. Ask one to add yours.'}
        </EmptyState>
      ) : (
        <>
          <DeviceTable devices={devices.data.items} />
          <Pagination offset={offset} limit={PAGE_SIZE} total={devices.data.total} onChange={setOffset} />
        </>
      )}

      {canAdd && (
        <AddDeviceDialog
          open={adding}
          onClose={() => setAdding(false)}
          servers={serverList}
          canConfigure={rights.configure}
        />
      )}
    </>
  )
}
