/**
 * Agents as changes to the model: deleting one (with its tunnel server or client), and what an
 * agent says about itself on hello (host facts, its WireGuard key). Each names the agents
 * whose desired state it changes.
 */
import type { AgentFacts } from '@wirewarp/protocol'
import { notFound } from '../errors.ts'
import { deleteAgent as deleteRow, getAgent, recordHello, setKeyConflict } from '../store/agents.ts'
import { writeAudit } from '../store/auditLog.ts'
import { lockTunnelServers } from '../store/locks.ts'
import { agentIdsOfTunnelClients, tunnelServerAgentOfClient } from '../store/tunnelClients.ts'
import { claimWireguardKey } from '../store/wireguardKeys.ts'
import type { Tx } from './change.ts'

/** Deletes an agent with its tunnel server or client and their forwards; returns its name and kind. */
export async function deleteAgent(tx: Tx, id: string): Promise<{ name: string; kind: 'server' | 'client' }> {
  const a = await getAgent(tx.db, id)
  if (!a) throw notFound('Agent')
  const serverOfClient = a.tunnelClientId ? await tunnelServerAgentOfClient(tx.db, a.tunnelClientId) : undefined
  await lockTunnelServers(tx.db, [a.tunnelServerId, serverOfClient?.tunnelServerId])
  // Its peers lose it: a server's clients lose their server, a client's server loses a peer.
  if (a.tunnelServerId) await tx.affect(await agentIdsOfTunnelClients(tx.db, a.tunnelServerId))
  await tx.affect([serverOfClient?.agentId])
  await deleteRow(tx.db, a.id)
  await writeAudit(tx.db, tx.actor, 'agent.delete', { type: 'agent', id: a.id }, { name: a.name, kind: a.kind })
  return { name: a.name, kind: a.kind }
}

export interface Hello {
  agentId: string
  facts: AgentFacts
  remoteIp: string
  appliedRevision: number
  appliedEpoch: string
  commands: string[]
}

/**
 * Stores an agent's hello. A new WireGuard key changes its peers' states, unless another peer
 * holds that key: then the agent keeps its old key and the conflict is recorded on it.
 */
export async function recordAgentHello(tx: Tx, h: Hello): Promise<{ keyConflict: string | null }> {
  const a = await getAgent(tx.db, h.agentId)
  if (!a) throw notFound('Agent')
  const serverOfClient = a.tunnelClientId ? await tunnelServerAgentOfClient(tx.db, a.tunnelClientId) : undefined
  if (h.facts.publicKey) await lockTunnelServers(tx.db, [a.tunnelServerId, serverOfClient?.tunnelServerId])
  await recordHello(tx.db, a.id, {
    facts: h.facts,
    publicIp: h.remoteIp,
    appliedRevision: h.appliedRevision,
    appliedEpoch: h.appliedEpoch,
    commands: h.commands,
  })

  let keyConflict: string | null = null
  const owner = a.tunnelServerId
    ? { tunnelServerId: a.tunnelServerId }
    : a.tunnelClientId
      ? { tunnelClientId: a.tunnelClientId }
      : null
  if (h.facts.publicKey && owner) {
    const claim = await claimWireguardKey(tx.db, owner, h.facts.publicKey)
    if (!claim.ok)
      keyConflict = `The WireGuard key this agent presented is already used by ${claim.holder}; it keeps its previous key. Remove the agent's state directory and register it again to make a new key.`
    else if (claim.changed) {
      await tx.affect([a.id, serverOfClient?.agentId])
      if (a.tunnelServerId) await tx.affect(await agentIdsOfTunnelClients(tx.db, a.tunnelServerId))
    }
  }
  if (keyConflict !== a.keyConflict) await setKeyConflict(tx.db, a.id, keyConflict)
  return { keyConflict }
}
