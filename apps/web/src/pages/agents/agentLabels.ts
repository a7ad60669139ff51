/** How agent kinds and statuses read in the dashboard; keys are the API's values. */
import type { AgentKind, AgentStatus } from '@wirewarp/protocol'

export const kindLabels: Record<AgentKind, string> = {
  server: 'Server (VPS)',
  client: 'Client (homelab)',
}

export const kindDescriptions: Record<AgentKind, string> = {
  server: 'A host with a public address. Runs the tunnel server and publishes the forwarded ports.',
  client: 'A host in your homelab. Connects out to a tunnel server, so it needs no open ports.',
}

export const statusTitles: Record<AgentStatus, string> = {
  connected: 'Connected to this server now',
  disconnected: 'Not connected: the agent is stopped or cannot reach this server',
  pending: 'Registered, but it has not connected yet',
}
