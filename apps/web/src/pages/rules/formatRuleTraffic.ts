/** What traffic a rule matches besides its destination, in words: "Any", "TCP", "TCP 443", "TCP/UDP 8000-8080". */
import type { Rule } from '@wirewarp/protocol'

export function formatRuleTraffic(r: Pick<Rule, 'protocol' | 'ports'>): string {
  const protocol = r.protocol ? r.protocol.toUpperCase() : r.ports ? 'TCP/UDP' : 'Any protocol'
  return r.ports ? `${protocol} ${r.ports}` : protocol
}
