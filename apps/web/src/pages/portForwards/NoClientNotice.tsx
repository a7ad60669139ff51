/** What a forward dialog shows when its tunnel server has no client yet: what is missing and where to add it. */
import { Link } from 'react-router'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { DialogFooter } from '../../components/Dialog.tsx'

const linkClass =
  'font-medium text-sky-700 underline hover:no-underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-sky-400'

export function NoClientNotice({ onClose }: { onClose: () => void }) {
  return (
    <div className="space-y-4" data-testid="no-client">
      <Alert tone="info" title="No tunnel client on this server yet">
        <p>
          A forward needs a tunnel client (the homelab side). Add one on the{' '}
          <Link to="/tunnel-servers" className={linkClass}>
            Tunnels page
          </Link>
          : connect an existing client to this server, or add a client agent on the{' '}
          <Link to="/agents" className={linkClass}>
            Agents page
          </Link>{' '}
          (“Add agent”, then Client).
        </p>
      </Alert>
      <DialogFooter>
        <Button onClick={onClose}>Close</Button>
      </DialogFooter>
    </div>
  )
}
