/**
 * Turns a one-time registration token into an agent: checks the token, creates the agent with
 * its tunnel server or tunnel client (attached and given a tunnel address when the token names a
 * server), marks the token used, and returns a fresh credential. One transaction: a refused or
 * failed registration leaves nothing behind.
 */
import type { AgentFacts } from '@wirewarp/protocol'
import ipaddr from 'ipaddr.js'
import { hashesEqual, newSecret, sha256 } from '../auth/secretTokens.ts'
import type { Db } from '../db/database.ts'
import { insertAgent } from '../store/agents.ts'
import { writeAudit } from '../store/auditLog.ts'
import { nowIso } from '../store/rows.ts'
import { insertTunnelClient, usedTunnelIps } from '../store/tunnelClients.ts'
import { insertTunnelServer } from '../store/tunnelServers.ts'
import { allocateTunnelIp } from '../tunnel/tunnelAddresses.ts'

export class RegistrationRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

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

export async function registerAgent(
  db: Db,
  req: { token: string; kind?: 'server' | 'client' | undefined; facts: AgentFacts; remoteIp: string },
): Promise<{ agentId: string; credential: string; kind: 'server' | 'client'; name: string; touched: string[] }> {
  const hash = sha256(req.token)
  const { credential, result } = await db.transaction().execute(async (trx) => {
    const token = await trx
      .selectFrom('registrationTokens')
      .selectAll()
      .where('tokenHash', '=', hash)
      .executeTakeFirst()
    if (!token || !hashesEqual(token.tokenHash, hash))
      throw new RegistrationRefused(
        'register.token_invalid',
        'The registration token is not valid. Copy the install command again from the dashboard.',
      )
    if (token.revokedAt)
      throw new RegistrationRefused(
        'register.token_revoked',
        'This registration token was revoked. Create a new one in the dashboard.',
      )
    if (token.usedAt)
      throw new RegistrationRefused(
        'register.token_used',
        `This registration token was already used on ${token.usedAt}. Each token registers one agent; create a new one.`,
      )
    if (token.expiresAt <= nowIso())
      throw new RegistrationRefused(
        'register.token_expired',
        `This registration token expired on ${token.expiresAt}. Create a new one in the dashboard.`,
      )
    if (req.kind && req.kind !== token.kind)
      throw new RegistrationRefused(
        'register.wrong_kind',
        `This token registers a ${token.kind} agent, but this agent was installed as a ${req.kind}. Use a ${req.kind} token, or the ${token.kind} install command.`,
      )

    const agent = await insertAgent(trx, { name: token.name, kind: token.kind })
    const { token: credential, hash: credentialHash } = newSecret(AGENT_CREDENTIAL_PREFIX)
    // Revision 1, so that the agent's first hello (applied revision 0) receives its state.
    await trx
      .updateTable('agents')
      .set({
        credentialHash,
        desiredRevision: 1,
        hostname: req.facts.hostname,
        version: req.facts.version,
        os: req.facts.os,
        arch: req.facts.arch,
        capabilities: JSON.stringify(req.facts.capabilities),
        publicIp: req.remoteIp,
      })
      .where('id', '=', agent.id)
      .execute()

    // The token is spent inside the same transaction, and only if nobody spent it meanwhile.
    const spent = await trx
      .updateTable('registrationTokens')
      .set({ usedAt: nowIso(), usedByAgentId: agent.id })
      .where('id', '=', token.id)
      .where('usedAt', 'is', null)
      .executeTakeFirst()
    if (Number(spent.numUpdatedRows) !== 1)
      throw new RegistrationRefused(
        'register.token_used',
        'This registration token was used by another agent at the same moment.',
      )

    const touched = [agent.id]
    if (token.kind === 'server') {
      await insertTunnelServer(trx, {
        agentId: agent.id,
        name: token.name,
        publicIp: publicAddress(req.remoteIp),
        wgPublicKey: req.facts.publicKey,
      })
    } else {
      let tunnelIp: string | null = null
      if (token.tunnelServerId) {
        const server = await trx
          .selectFrom('tunnelServers')
          .selectAll()
          .where('id', '=', token.tunnelServerId)
          .executeTakeFirst()
        if (server) {
          tunnelIp = allocateTunnelIp(server.tunnelNetworkV4, await usedTunnelIps(trx, server.id))
          if (!tunnelIp)
            throw new RegistrationRefused(
              'register.network_full',
              `The tunnel network ${server.tunnelNetworkV4} of ${server.name} has no free address.`,
            )
          touched.push(server.agentId)
          await trx
            .updateTable('agents')
            .set((eb) => ({ desiredRevision: eb('desiredRevision', '+', 1) }))
            .where('id', '=', server.agentId)
            .execute()
        }
      }
      await insertTunnelClient(trx, {
        agentId: agent.id,
        name: token.name,
        tunnelServerId: tunnelIp ? token.tunnelServerId : null,
        tunnelIp,
        wgPublicKey: req.facts.publicKey,
      })
    }
    await writeAudit(
      trx,
      { type: 'agent', id: agent.id, email: null, ip: req.remoteIp, userAgent: `wirewarp-agent/${req.facts.version}` },
      'agent.register',
      { type: 'agent', id: agent.id },
      { name: token.name, kind: token.kind, hostname: req.facts.hostname, registrationTokenId: token.id },
    )
    return { credential, result: { agentId: agent.id, kind: token.kind, name: token.name, touched } }
  })
  return { ...result, credential }
}
