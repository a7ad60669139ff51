/**
 * Turns a one-time registration token into an agent: checks the token, creates the agent with
 * its tunnel server or tunnel client (attached and given a tunnel address when the token names a
 * server), claims its WireGuard key, marks the token used, and returns a fresh credential. One
 * transaction: a refused or failed registration leaves nothing behind.
 */
import type { AgentFacts } from '@wirewarp/protocol'
import ipaddr from 'ipaddr.js'
import { hashesEqual, newSecret, sha256 } from '../auth/secretTokens.ts'
import {
  registrationNetworkFull,
  registrationTokenExpired,
  registrationTokenInvalid,
  registrationTokenRevoked,
  registrationTokenUsed,
  wrongKind,
} from '../errors.ts'
import { completeRegistration, insertAgent, setKeyConflict } from '../store/agents.ts'
import { writeAudit } from '../store/auditLog.ts'
import { lockTunnelServer } from '../store/locks.ts'
import { findRegistrationTokenByHash, spendRegistrationToken } from '../store/registrationTokens.ts'
import { nowIso } from '../store/rows.ts'
import { insertTunnelClient } from '../store/tunnelClients.ts'
import { getTunnelServer, insertTunnelServer } from '../store/tunnelServers.ts'
import { claimWireguardKey } from '../store/wireguardKeys.ts'
import type { Tx } from './change.ts'
import { assignTunnelIp } from './tunnelAddresses.ts'

export const AGENT_CREDENTIAL_PREFIX = 'wwa_'

/** The observed address, when it is one the internet can reach (a VPS's public IP). */
function publicAddress(ip: string): string | null {
  try {
    const a = ipaddr.process(ip)
    return a.range() === 'unicast' ? a.toString() : null
  } catch {
    return null
  }
}

export interface Registration {
  token: string
  kind?: 'server' | 'client' | undefined
  facts: AgentFacts
  remoteIp: string
}

export interface Registered {
  agentId: string
  credential: string
  kind: 'server' | 'client'
  name: string
}

export async function registerAgent(tx: Tx, req: Registration): Promise<Registered> {
  const hash = sha256(req.token)
  const token = await findRegistrationTokenByHash(tx.db, hash)
  if (!token || !hashesEqual(token.tokenHash, hash)) throw registrationTokenInvalid()
  if (token.revokedAt) throw registrationTokenRevoked()
  if (token.usedAt) throw registrationTokenUsed(token.usedAt)
  if (token.expiresAt <= nowIso()) throw registrationTokenExpired(token.expiresAt)
  if (req.kind && req.kind !== token.kind) throw wrongKind(token.kind, req.kind)

  const agent = await insertAgent(tx.db, { name: token.name, kind: token.kind })
  const { token: credential, hash: credentialHash } = newSecret(AGENT_CREDENTIAL_PREFIX)
  await completeRegistration(tx.db, agent.id, { credentialHash, facts: req.facts, publicIp: req.remoteIp })

  // The token is spent inside the same transaction, and only if nobody spent it meanwhile.
  if (!(await spendRegistrationToken(tx.db, token.id, agent.id))) throw registrationTokenUsed()

  // The new agent itself is not "affected": its first state is revision 1, sent on its first hello.
  let owner: { tunnelServerId: string } | { tunnelClientId: string }
  if (token.kind === 'server') {
    const s = await insertTunnelServer(tx.db, {
      agentId: agent.id,
      name: token.name,
      publicIp: publicAddress(req.remoteIp),
    })
    owner = { tunnelServerId: s.id }
  } else {
    let tunnelIp: string | null = null
    let tunnelServerId: string | null = null
    // A server deleted since the token was made: the client registers detached.
    if (token.tunnelServerId && (await lockTunnelServer(tx.db, token.tunnelServerId))) {
      const server = (await getTunnelServer(tx.db, token.tunnelServerId))!
      try {
        tunnelIp = await assignTunnelIp(tx.db, server, null)
      } catch {
        throw registrationNetworkFull(server.tunnelNetworkV4, server.name)
      }
      tunnelServerId = server.id
      await tx.affect([server.agentId])
    }
    const c = await insertTunnelClient(tx.db, { agentId: agent.id, name: token.name, tunnelServerId, tunnelIp })
    owner = { tunnelClientId: c.id }
  }
  if (req.facts.publicKey) {
    const claim = await claimWireguardKey(tx.db, owner, req.facts.publicKey)
    if (!claim.ok)
      await setKeyConflict(
        tx.db,
        agent.id,
        `The WireGuard key this agent presented is already used by ${claim.holder}. Remove the agent's state directory and register it again to make a new key.`,
      )
  }
  await writeAudit(
    tx.db,
    tx.actor,
    'agent.register',
    { type: 'agent', id: agent.id },
    { name: token.name, kind: token.kind, hostname: req.facts.hostname, registrationTokenId: token.id },
  )
  return { agentId: agent.id, credential, kind: token.kind, name: token.name }
}
