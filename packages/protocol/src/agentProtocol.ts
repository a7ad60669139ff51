/**
 * Messages between an agent and the hub at /ws/agent, one JSON object per WebSocket text frame.
 * An agent opens with `register` (one-time token) or `hello` (its credential); everything else
 * follows a `welcome`.
 */
import { z } from 'zod'
import { DesiredState, WgKey } from './desiredState.ts'

// Bump on a breaking change to these messages or to DesiredState, noting why.
// 1: first version.
export const PROTOCOL_VERSION = 1
/** The protocol versions this build of the server accepts. */
export const SUPPORTED_PROTOCOL_VERSIONS = [1] as const

export const HEARTBEAT_SECONDS = 30
/** A connection silent this long is dead, on both sides. */
export const DEAD_AFTER_SECONDS = 90

export const AgentFacts = z.object({
  version: z.string().max(64),
  hostname: z.string().max(255),
  os: z.string().max(64),
  arch: z.string().max(32),
  /** What the host can do: kernel or userspace WireGuard, nft version, IPv6, Docker… */
  capabilities: z.record(z.string(), z.unknown()),
  /** The agent's WireGuard public key; null until the driver made one. */
  publicKey: WgKey.nullable(),
})
export type AgentFacts = z.infer<typeof AgentFacts>

export const CommandName = z.enum(['ping', 'diagnostics', 'restart'])
export type CommandName = z.infer<typeof CommandName>

export const InterfaceCounters = z.object({
  name: z.string(),
  rxBytes: z.number(),
  txBytes: z.number(),
  rxPackets: z.number(),
  txPackets: z.number(),
})

export const MetricsSample = z.object({
  /** CPU busy share since the previous sample, 0–1. */
  cpu: z.number().min(0).max(1),
  memoryUsedBytes: z.number().min(0),
  memoryTotalBytes: z.number().min(0),
  load: z.tuple([z.number(), z.number(), z.number()]),
  uptimeSeconds: z.number().min(0),
  interfaces: z.array(InterfaceCounters),
  /** WireGuard peers as `wg show dump` reports them (data-plane drivers only). */
  peers: z
    .array(
      z.object({
        publicKey: z.string(),
        endpoint: z.string().nullable(),
        latestHandshakeAt: z.string().nullable(),
        rxBytes: z.number(),
        txBytes: z.number(),
      }),
    )
    .optional(),
  /** Per-forward traffic from the nftables counters, by forward id (server mode, data-plane drivers only). */
  forwards: z.array(z.object({ id: z.string(), packets: z.number(), bytes: z.number() })).optional(),
})
export type MetricsSample = z.infer<typeof MetricsSample>

export const AgentMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('register'),
    protocolVersion: z.number().int(),
    token: z.string().max(200),
    /** The mode the agent was installed for; must match the token's kind when given. */
    kind: z.enum(['server', 'client']).optional(),
    facts: AgentFacts,
  }),
  z.object({
    type: z.literal('hello'),
    protocolVersion: z.number().int(),
    agentId: z.string().max(64),
    credential: z.string().max(200),
    /** The revision the agent last applied successfully (0: none). */
    appliedRevision: z.number().int().min(0),
    facts: AgentFacts,
  }),
  z.object({ type: z.literal('heartbeat') }),
  z.object({
    type: z.literal('applied'),
    revision: z.number().int().min(0),
    ok: z.boolean(),
    error: z.string().max(8000).optional(),
    durationMs: z.number().min(0),
  }),
  z.object({
    type: z.literal('command_result'),
    id: z.string().max(64),
    ok: z.boolean(),
    result: z.unknown().optional(),
    error: z.string().max(8000).optional(),
  }),
  z.object({ type: z.literal('metrics'), at: z.string(), sample: MetricsSample }),
])
export type AgentMessage = z.infer<typeof AgentMessage>

export const HubMessage = z.discriminatedUnion('type', [
  /** Answer to `register`: keep the credential (shown once) and say `hello` from now on. */
  z.object({
    type: z.literal('registered'),
    agentId: z.string(),
    credential: z.string(),
    kind: z.enum(['server', 'client']),
  }),
  z.object({
    type: z.literal('welcome'),
    agentId: z.string(),
    serverVersion: z.string(),
    heartbeatSeconds: z.number().int(),
  }),
  z.object({ type: z.literal('heartbeat_ack') }),
  z.object({ type: z.literal('desired_state'), state: DesiredState }),
  z.object({
    type: z.literal('command'),
    id: z.string(),
    command: CommandName,
    params: z.record(z.string(), z.unknown()),
    timeoutMs: z.number().int().min(1),
  }),
  /** Sent before the hub closes the socket; `code` is stable (see HubErrorCode). */
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
])
export type HubMessage = z.infer<typeof HubMessage>

/** Error codes that tell an agent not to retry with the same input. */
export const FATAL_HUB_ERRORS = [
  'protocol.unsupported',
  'register.token_invalid',
  'register.token_used',
  'register.token_expired',
  'register.token_revoked',
  'register.wrong_kind',
  'hello.unknown_agent',
  'hello.bad_credential',
] as const

/** WebSocket close codes the hub uses (4000–4999 are the application's). */
export const CloseCode = {
  refused: 4001,
  replaced: 4002,
  deleted: 4003,
  dead: 4004,
  shuttingDown: 1001,
} as const
