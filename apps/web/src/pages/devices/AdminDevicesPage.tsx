/** Every user's devices (admin): filter by owner, and add a device for any user. */
import { useState } from 'react'
import { useSearchParams } from 'react-router'
import { useDevices } from '../../api/devices.ts'
import { ALL_ROWS, PAGE_SIZE } from '../../api/Page.ts'
import { useUsers } from '../../api/users.ts'
import { useVpnServers } from '../../api/vpn.ts'
import { useSession } from '../../auth/SessionContext.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Field, selectClass } from '../../components/Field.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pagination } from '../../components/Pagination.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { AddDeviceDialog } from './AddDeviceDialog.tsx'
import { DeviceTable } from './DeviceTable.tsx'

export function AdminDevicesPage() {
  const me = useSession()
  const [searchParams, setSearchParams] = useSearchParams()
  const userId = searchParams.get('user') ?? undefined
  const [offset, setOffset] = useState(0)
  const devices = useDevices({ userId, limit: PAGE_SIZE, offset })
  const users = useUsers({ limit: ALL_ROWS, offset: 0 })
  const servers = useVpnServers()
  const [adding, setAdding] = useState(false)
  const userList = users.data?.items ?? []
  const serverList = servers.data?.items ?? []

  return (
    <>
      <PageHeader
        title="Devices"
        description="Every user’s devices on the VPN. Users add their own on “My devices”."
        actions={
          serverList.length > 0 &&
          userList.length > 0 && (
            <Button tone="primary" onClick={() => setAdding(true)}>
              Add device
            </Button>
          )
        }
      />
      <div className="mb-4 max-w-sm">
        <Field label="Owner" name="user">
          {(control) => (
            <select
              {...control}
              className={selectClass}
              value={userId ?? ''}
              onChange={(e) => {
                setOffset(0)
                setSearchParams(e.target.value ? { user: e.target.value } : {}, { replace: true })
              }}
            >
              <option value="">Everyone</option>
              {userList.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} ({u.email})
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {users.isError && (
        <div className="mb-4">
          <Alert>Could not load the users: {users.error.message}</Alert>
        </div>
      )}
      {servers.isSuccess && serverList.length === 0 && (
        <div className="mb-4">
          <Alert tone="info" title="No tunnel server yet">
            Devices connect through a tunnel server: add a server agent on the Agents page first.
          </Alert>
        </div>
      )}

      {devices.isPending ? (
        <Loading />
      ) : devices.isError ? (
        <LoadError error={devices.error} onRetry={() => devices.refetch()} />
      ) : devices.data.items.length === 0 ? (
        <EmptyState title={userId ? 'This user has no devices' : 'No devices yet'}>
          Devices appear here when users add them on “My devices”, or when you add one for a user.
        </EmptyState>
      ) : (
        <>
          <DeviceTable devices={devices.data.items} showOwner />
          <Pagination offset={offset} limit={PAGE_SIZE} total={devices.data.total} onChange={setOffset} />
        </>
      )}

      <AddDeviceDialog
        open={adding}
        onClose={() => setAdding(false)}
        servers={serverList}
        canConfigure
        users={{ list: userList, selectedId: userId ?? me.id }}
      />
    </>
  )
}
