/** How agent kinds and statuses read in the dashboard; keys are the API's values. */
import type { AgentKind, AgentStatus, HostFacts } from '@wirewarp/protocol'

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

/** An agent that removed itself from its host: its row stays, with its history, until deleted. */
export const uninstalledTitle =
  'The agent uninstalled itself from its host. Delete the agent when you no longer need its history.'

export const wireguardLabels: Record<HostFacts['wireguard'], string> = {
  kernel: 'kernel module',
  userspace: 'userspace (wireguard-go)',
  none: 'not found (neither the kernel module nor wireguard-go)',
  unknown: 'unknown',
}

export const initLabels: Record<HostFacts['init'], string> = {
  systemd: 'systemd',
  openrc: 'OpenRC',
  other: 'neither systemd nor OpenRC',
  unknown: 'unknown',
}

export const installLabels: Record<HostFacts['install'], string> = {
  executable: 'single executable',
  bundle: 'Node bundle (.mjs)',
  source: 'from source',
  unknown: 'unknown build',
}
