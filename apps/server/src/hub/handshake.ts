/**
 * The first message on /ws/agent: `register` (a one-time token becomes an agent and a
 * credential) or `hello` (an agent proves who it is). Failed attempts are throttled per address,
 * and a refused hello says the same whether the agent id exists or not.
 */
import { type AgentMessage, SUPPORTED_PROTOCOL_VERSIONS } from '@wirewarp/protocol'
import { hashesEqual, sha256 } from '../auth/secretTokens.ts'
import type { Db } from '../db/database.ts'
import { runChange, type StateSync } from '../domain/change.ts'
import { type Registered, registerAgent } from '../domain/registration.ts'
import { AgentRefused, agentThrottled, helloRefused, unsupportedProtocol } from '../errors.ts'
import { findAgentCredential } from '../store/agents.ts'

/** Throttles failed registrations and hellos per address (auth/loginThrottle.ts in practice). */
export interface AgentAuthGuard {
  claim(
    ip: string,
  ): Promise<{ allowed: true; settle: (ok: boolean) => Promise<void> } | { allowed: false; retryAfterSeconds: number }>
}

export interface HandshakeDeps {
  db: Db
  hub: StateSync
  guard?: AgentAuthGuard | undefined
}

// Compared against when the agent id is unknown, so that both refusals cost the same.
const NO_SUCH_AGENT = sha256('wirewarp: no such agent')

export function checkProtocolVersion(v: number): void {
  if (!(SUPPORTED_PROTOCOL_VERSIONS as readonly number[]).includes(v))
    throw unsupportedProtocol(SUPPORTED_PROTOCOL_VERSIONS, v)
}

/** Runs `attempt` as one throttled try from `ip`: refused tries count, successful ones do not. */
async function throttled<T>(deps: HandshakeDeps, ip: string, attempt: () => Promise<T>): Promise<T> {
  if (!deps.guard) return attempt()
  const ticket = await deps.guard.claim(ip)
  if (!ticket.allowed) throw agentThrottled(ticket.retryAfterSeconds)
  try {
    const out = await attempt()
    await ticket.settle(true)
    return out
  } catch (err) {
    await ticket.settle(!(err instanceof AgentRefused))
    throw err
  }
}

export async function handleRegister(
  deps: HandshakeDeps,
  msg: Extract<AgentMessage, { type: 'register' }>,
  remoteIp: string,
): Promise<Registered> {
  checkProtocolVersion(msg.protocolVersion)
  return throttled(deps, remoteIp, async () => {
    const actor = {
      type: 'agent' as const,
      id: null,
      email: null,
      ip: remoteIp,
      userAgent: `wirewarp-agent/${msg.facts.version}`,
    }
    const { value } = await runChange(deps, actor, (tx) =>
      registerAgent(tx, { token: msg.token, kind: msg.kind, facts: msg.facts, remoteIp }),
    )
    return value
  })
}

export interface Authenticated {
  id: string
  kind: 'server' | 'client'
  desiredRevision: number
}

export async function authenticateHello(
  deps: HandshakeDeps,
  msg: Extract<AgentMessage, { type: 'hello' }>,
  remoteIp: string,
): Promise<Authenticated> {
  checkProtocolVersion(msg.protocolVersion)
  return throttled(deps, remoteIp, async () => {
    const row = await findAgentCredential(deps.db, msg.agentId)
    const ok = hashesEqual(row?.credentialHash ?? NO_SUCH_AGENT, sha256(msg.credential))
    if (!row?.credentialHash || !ok) throw helloRefused()
    return { id: row.id, kind: row.kind, desiredRevision: Number(row.desiredRevision) }
  })
}
