/** "← Tunnels": the way back from a tunnel server or client page to the list. */
import { Link } from 'react-router'

export function TunnelsBackLink() {
  return (
    <Link
      to="/tunnel-servers"
      className="mb-2 inline-block text-sm font-medium text-zinc-600 hover:text-zinc-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-zinc-400 dark:hover:text-white"
    >
      ← Tunnels
    </Link>
  )
}
