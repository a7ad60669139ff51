/** The tunnel server whose forwards the page shows; kept in the URL (?server=) so links and reloads keep it. */
import type { TunnelServer } from '@wirewarp/protocol'
import { Field, selectClass } from '../../components/Field.tsx'

export function ServerPicker({
  servers,
  selectedId,
  onChange,
}: {
  servers: TunnelServer[]
  selectedId: string
  onChange: (id: string) => void
}) {
  return (
    <Field label="Tunnel server" name="tunnelServerId" className="w-full max-w-sm">
      {(control) => (
        <select {...control} className={selectClass} value={selectedId} onChange={(e) => onChange(e.target.value)}>
          {servers.map((s) => (
            <option key={s.id} value={s.id}>
              {serverLabel(s)}
            </option>
          ))}
        </select>
      )}
    </Field>
  )
}

function serverLabel(s: TunnelServer): string {
  const address = s.publicIp ? ` (${s.publicIp})` : ''
  // Forwards on a disconnected server are stored but not live; say so where the server is chosen.
  const status = s.status === 'connected' ? '' : ` — ${s.status}`
  return `${s.name}${address}${status}`
}
