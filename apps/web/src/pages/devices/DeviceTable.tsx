/** Devices in a table: status, address, last handshake and traffic; the owner's column for admins. */
import type { Device } from '@wirewarp/protocol'
import { Link } from 'react-router'
import { DateTime } from '../../components/DateTime.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'
import { formatBytes } from '../../format/formatBytes.ts'
import { useNow } from '../../format/useNow.ts'
import { DeviceStatusBadge } from './DeviceStatusBadge.tsx'

const linkClass =
  'font-medium text-zinc-900 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-zinc-100'

export function DeviceTable({ devices, showOwner = false }: { devices: Device[]; showOwner?: boolean }) {
  const now = useNow()
  return (
    <Table>
      <THead>
        <tr>
          <Th>Device</Th>
          {showOwner && <Th>Owner</Th>}
          <Th>Status</Th>
          <Th>Address</Th>
          <Th>Last handshake</Th>
          <Th title="Received by the tunnel server from the device / sent to it">Traffic ↑ / ↓</Th>
        </tr>
      </THead>
      <TBody>
        {devices.map((d) => (
          <Tr
            key={d.id}
            data-testid="device-row"
            data-device-id={d.id}
            className={d.enabled ? '' : 'text-zinc-500 dark:text-zinc-400'}
          >
            <Td className="min-w-40 max-w-64">
              <Link to={`/devices/${encodeURIComponent(d.id)}`} className={`block truncate ${linkClass}`}>
                {d.name}
              </Link>
              <span
                className="block truncate text-xs text-zinc-500 dark:text-zinc-400"
                title={d.description || undefined}
              >
                {d.description || d.tunnelServerName}
              </span>
            </Td>
            {showOwner && <Td className="max-w-56 truncate">{d.userEmail}</Td>}
            <Td>
              <DeviceStatusBadge device={d} />
            </Td>
            <Td className="font-mono text-xs whitespace-nowrap">
              <span className="block">{d.ipv4}</span>
              {d.ipv6 && <span className="block text-zinc-500 dark:text-zinc-400">{d.ipv6}</span>}
            </Td>
            <Td>
              <DateTime iso={d.stats.latestHandshakeAt} empty="Never" now={now} />
            </Td>
            <Td className="text-xs whitespace-nowrap tabular-nums">
              {formatBytes(d.stats.rxBytes)} / {formatBytes(d.stats.txBytes)}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  )
}
