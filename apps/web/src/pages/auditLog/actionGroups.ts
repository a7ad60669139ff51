/** Groups audit actions by what they concern, for the action picker: "port_forward.create" → Port forwards / create. */

export interface ActionGroup {
  /** The filter for every action of the group, e.g. "port_forward.". */
  prefix: string
  /** "Port forwards". */
  label: string
  /** "Every port forward action": the option for the prefix. */
  every: string
  /** Each option says its group too, as a closed select shows only the chosen option. */
  actions: { action: string; label: string }[]
}

/** Area → its name, plural and singular. */
const AREAS: Record<string, [string, string]> = {
  agent: ['Agents', 'Agent'],
  api_token: ['API tokens', 'API token'],
  auth: ['Sign-ins', 'Sign-in'],
  port_forward: ['Port forwards', 'Port forward'],
  registration_token: ['Registration tokens', 'Registration token'],
  service_template: ['Service templates', 'Service template'],
  tunnel_client: ['Tunnel clients', 'Tunnel client'],
  tunnel_server: ['Tunnel servers', 'Tunnel server'],
  user: ['Users', 'User'],
}

const words = (s: string) => s.replaceAll(/[._]/g, ' ')

export function actionGroups(actions: readonly string[]): ActionGroup[] {
  const groups = new Map<string, ActionGroup>()
  for (const action of actions) {
    const dot = action.indexOf('.')
    const area = dot > 0 ? action.slice(0, dot) : action
    const [label, one] = AREAS[area] ?? [words(area), words(area)]
    let group = groups.get(area)
    if (!group) {
      group = { prefix: `${area}.`, label, every: `Every ${one.toLowerCase()} action`, actions: [] }
      groups.set(area, group)
    }
    group.actions.push({ action, label: dot > 0 ? `${one}: ${words(action.slice(dot + 1))}` : one })
  }
  return [...groups.values()].sort((a, b) => a.label.localeCompare(b.label))
}
