/** The WireGuard peers of a tunnel server as its agent last sampled them: handshake age and traffic. */
import type { TunnelServerStatus } from '@wirewarp/protocol'
import { Link } from 'react-router'
import { EmptyNote } from '../../components/EmptyNote.tsx'
import { Unknown } from '../../components/FactList.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'
import { formatAge } from '../../format/formatAge.ts'
import { formatBytes } from '../../format/formatBytes.ts'
import { formatDateTime } from '../../format/formatDate.ts'

type Peer = TunnelServerStatus['peers'][number]

// WireGuard renews a session's keys every 2 minutes while traffic flows (and clients send keepalives),
// so a handshake older than 3 minutes means the peer is not reaching the server.
const STALE_HANDSHAKE_MS = 180_000

export function TunnelPeers({ status, now }: { status: TunnelServerStatus; now: number }) {
  if (status.sampledAt === null) {
    return <EmptyNote>No peer figures yet. A connected server agent reports them every 30 seconds.</EmptyNote>
  }
  return (
    <>
      {!status.peersReported ? (
        <EmptyNote>This agent's driver reports no WireGuard peers, so their handshakes are not known.</EmptyNote>
      ) : status.peers.length === 0 ? (
        <EmptyNote>WireGuard on the server has no peers yet.</EmptyNote>
      ) : (
        <Table>
          <THead>
            <tr>
              <Th>Client</Th>
              <Th>Tunnel IP</Th>
              <Th>Endpoint</Th>
              <Th title="Time since the last WireGuard handshake with this peer">Handshake</Th>
              <Th title="Bytes the tunnel server received from the peer / sent to it">Received / sent</Th>
            </tr>
          </THead>
          <TBody>
            {status.peers.map((p) => (
              <PeerRow key={p.publicKey} peer={p} now={now} />
            ))}
          </TBody>
        </Table>
      )}
      <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400" data-testid="peers-sampled">
        Sampled <span title={formatDateTime(status.sampledAt)}>{formatAge(status.sampledAt, now)}</span>; the agent
        reports every 30 seconds.
      </p>
    </>
  )
}

function PeerRow({ peer: p, now }: { peer: Peer; now: number }) {
  return (
    <Tr data-testid="peer-row" data-public-key={p.publicKey}>
      <Td>
        {p.tunnelClientId ? (
          <Link
            to={`/tunnel-clients/${encodeURIComponent(p.tunnelClientId)}`}
            className="font-medium text-zinc-900 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-zinc-100"
          >
            {p.name ?? 'Unnamed client'}
          </Link>
        ) : (
          <span title="No tunnel client has this WireGuard key">
            Unknown peer
            <span className="block max-w-40 truncate font-mono text-xs text-zinc-500 dark:text-zinc-400">
              {p.publicKey}
            </span>
          </span>
        )}
      </Td>
      <Td className="font-mono text-xs">{p.tunnelIp ?? <Unknown />}</Td>
      <Td className="font-mono text-xs">
        {p.endpoint ?? (
          <span title="The server has not heard from this peer">
            <Unknown />
          </span>
        )}
      </Td>
      <Td>
        <HandshakeAge at={p.latestHandshakeAt} now={now} />
      </Td>
      <Td className="whitespace-nowrap tabular-nums">
        {formatBytes(p.rxBytes)} / {formatBytes(p.txBytes)}
      </Td>
    </Tr>
  )
}

function HandshakeAge({ at, now }: { at: string | null; now: number }) {
  if (at === null) {
    return (
      <span data-testid="handshake-age" className="text-amber-700 dark:text-amber-400" title="No handshake yet">
        never
      </span>
    )
  }
  const stale = now - new Date(at).getTime() > STALE_HANDSHAKE_MS
  return (
    <time
      dateTime={at}
      data-testid="handshake-age"
      title={`${formatDateTime(at)}${stale ? ': older than 3 minutes, so the peer is probably not connected' : ''}`}
      className={`whitespace-nowrap tabular-nums ${stale ? 'font-medium text-amber-700 dark:text-amber-400' : ''}`}
    >
      {formatAge(at, now)}
    </time>
  )
}
