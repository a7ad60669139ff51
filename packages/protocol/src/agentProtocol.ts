/**
 * Messages between an agent and the hub at /ws/agent, one JSON object per WebSocket text frame.
 * An agent opens with `register` (one-time token) or `hello` (its credential); everything else
 * follows a `welcome`.
 */
import { z } from 'zod'
import { DesiredState, WgKey } from './desiredState.ts'
import { ReleaseVersion } from './releases.ts'

// Bump on a breaking change to these messages or to DesiredState, noting why.
// 1: first version.
// 2: desired states carry the server's epoch and acks name it (a restored database starts a new
//    epoch, within which revisions only grow); hello reports the applied epoch and the commands
//    the agent can run, so the hub never sends a command an agent does not know. Version 1
//    agents keep working: they ignore the epoch and are sent only the version 1 commands.
export const PROTOCOL_VERSION = 2
/** The protocol versions this build of the server accepts. */
export const SUPPORTED_PROTOCOL_VERSIONS = [1, 2] as const

/** The commands every agent of protocol version 1 runs. */
export const V1_COMMANDS = ['ping', 'diagnostics', 'restart'] as const

/**
 * Bounds on what travels over /ws/agent, sized for a tunnel server with 10,000 peers (a
 * metrics sample with every peer is about 2 MB; its desired state about 1.5 MB). Frames
 * deeper or larger than this are refused before they are parsed.
 */
export const FRAME_LIMITS = {
  maxBytes: 16 * 1024 * 1024,
  maxDepth: 16,
  maxPeers: 65_536,
  maxForwards: 65_536,
} as const

export const HEARTBEAT_SECONDS = 30
/** A connection silent this long is dead, on both sides. */
export const DEAD_AFTER_SECONDS = 90

function isControlExceptTabNewline(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0x7f
}

/** Free text from an agent (error output): bounded; no control characters but tab and newline. */
export const AgentText = z
  .string()
  .max(8000)
  .refine((v) => ![...v].some((ch) => isControlExceptTabNewline(ch.charCodeAt(0))), {
    error: 'Must not contain control characters other than tab and newline',
  })

export const Capabilities = z
  .record(
    z.string().max(64),
    z.union([z.string().max(256), z.number(), z.boolean(), z.null()], {
      error: 'Capabilities are flat: each value a string, number, boolean or null',
    }),
  )
  .refine((c) => Object.keys(c).length <= 64, { error: 'At most 64 capabilities' })
export type Capabilities = z.infer<typeof Capabilities>

/** A server epoch: a new database, or one restored from a backup, starts a new one. */
export const Epoch = z.string().max(64)

/** Short text about the host: bounded; no control characters. */
const HostText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => [...v].every((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f), {
      error: 'Must not contain control characters',
    })

/**
 * What the host offers, as the agent probed it at hello. A value this server does not know (a
 * newer agent's) reads as "unknown" instead of refusing the agent.
 */
export const HostFacts = z.object({
  /** kernel: the WireGuard module is loaded or installed; userspace: only wireguard-go; none: neither. */
  wireguard: z.enum(['kernel', 'userspace', 'none', 'unknown']).catch('unknown'),
  /** What `nft --version` says, e.g. "v1.0.6"; null when nft is not installed. */
  nftables: HostText(64).nullable().catch('unknown'),
  /** PRETTY_NAME from /etc/os-release, e.g. "Debian GNU/Linux 12 (bookworm)"; null without one. */
  distribution: HostText(128).nullable().catch(null),
  /** The service manager: systemd, OpenRC, or other (neither was found). */
  init: z.enum(['systemd', 'openrc', 'other', 'unknown']).catch('unknown'),
  /** executable: the single-executable build; bundle: the .mjs file run by the host's Node; source: a checkout. */
  install: z.enum(['executable', 'bundle', 'source', 'unknown']).catch('unknown'),
  /** The Node.js version the agent runs on (embedded in the executable, or the host's). */
  node: HostText(32).catch('unknown'),
})
export type HostFacts = z.infer<typeof HostFacts>

export const AgentFacts = z.object({
  version: z.string().max(64),
  hostname: z.string().max(255),
  os: z.string().max(64),
  arch: z.string().max(32),
  /** What the host can do: kernel or userspace WireGuard, nft version, IPv6, Docker… Flat, bounded. */
  capabilities: Capabilities,
  /** The agent's WireGuard public key; null until the driver made one. */
  publicKey: WgKey.nullable(),
  /** Absent from older agents (0.1.0). */
  host: HostFacts.optional(),
})
export type AgentFacts = z.infer<typeof AgentFacts>

// A new command needs no new protocol version: the hub sends only the commands an agent announced.
// uninstall: tear down, remove the installation, report, exit with EXIT_REFUSED; agents 0.1.0 do not announce it.
// update: download a release, verify it, swap it in and exit with EXIT_RESTART for the launcher
// (docs/design/self-update.md); agents 0.1.0 do not announce it.
// check_drift: compare the host with the state last applied, repair what differs, answer with a
// DriftReport; older agents do not announce it.
export const CommandName = z.enum(['ping', 'diagnostics', 'restart', 'uninstall', 'update', 'check_drift'])
export type CommandName = z.infer<typeof CommandName>

/** Params of the `update` command: one release file, as the manifest describes it. */
export const UpdateCommandParams = z.object({
  version: ReleaseVersion,
  /** Absolute http(s) URL of the file: `<publicUrl>/releases/<version>/<name>`. */
  url: z
    .string()
    .max(2048)
    .refine(
      (v) => {
        try {
          const u = new URL(v)
          return u.protocol === 'http:' || u.protocol === 'https:'
        } catch {
          return false
        }
      },
      { error: 'Must be an absolute http(s) URL' },
    ),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'Must be 64 lowercase hex digits' }),
  size: z.number().int().positive(),
  /** How long the new version has to connect and apply its state before the launcher rolls back. */
  deadlineSeconds: z.number().int().min(10).max(3600).optional(),
})
export type UpdateCommandParams = z.infer<typeof UpdateCommandParams>
export const UPDATE_DEFAULT_DEADLINE_SECONDS = 120

/** Result of a successful `update`: the agent exits next, and the launcher starts `to`. */
export const UpdateCommandResult = z.object({
  from: z.string().max(64),
  to: z.string().max(64),
  state: z.literal('restarting'),
})
export type UpdateCommandResult = z.infer<typeof UpdateCommandResult>

/** How an update ended, as an agent reports it on hello until it was welcomed once after it. */
export const UpdateReport = z.object({
  state: z.enum(['confirmed', 'rolled_back']),
  from: z.string().max(64),
  to: z.string().max(64),
  reason: AgentText.max(500).nullable(),
  at: z.string().max(40),
})
export type UpdateReport = z.infer<typeof UpdateReport>
/** A command name as an agent announces it: may name commands this build does not know yet. */
export const AnnouncedCommand = z.string().max(32)

export const InterfaceCounters = z.object({
  name: z.string().max(64),
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
  interfaces: z.array(InterfaceCounters).max(1024),
  /** WireGuard peers as `wg show dump` reports them (data-plane drivers only). */
  peers: z
    .array(
      z.object({
        publicKey: z.string().max(64),
        endpoint: z.string().max(64).nullable(),
        latestHandshakeAt: z.string().max(40).nullable(),
        rxBytes: z.number(),
        txBytes: z.number(),
      }),
    )
    .max(FRAME_LIMITS.maxPeers)
    .optional(),
  /** Per-forward traffic from the nftables counters, by forward id (server mode, data-plane drivers only). */
  forwards: z
    .array(z.object({ id: z.string().max(64), packets: z.number(), bytes: z.number() }))
    .max(FRAME_LIMITS.maxForwards)
    .optional(),
})
export type MetricsSample = z.infer<typeof MetricsSample>

/** Bounds of a drift report: it names what was repaired, never keys or whole rulesets. */
export const DRIFT_LIMITS = { maxItems: 32, maxText: 200, maxError: 2000 } as const

/** One thing an agent found changed on its host and put back, e.g. `{what: 'nftables', detail: 'table inet wirewarp missing'}`. */
export const DriftItem = z.object({
  /** wireguard, nftables, routes, rules, sysctls, docker… (newer agents may name more). */
  what: AgentText.min(1).max(DRIFT_LIMITS.maxText),
  detail: AgentText.max(DRIFT_LIMITS.maxText),
})
export type DriftItem = z.infer<typeof DriftItem>

/** What a drift check repaired; `ok: false` when a repair failed (`items` then says what was found). */
export const DriftReport = z.object({
  at: z.string().max(40),
  ok: z.boolean(),
  items: z.array(DriftItem).max(DRIFT_LIMITS.maxItems),
  error: AgentText.max(DRIFT_LIMITS.maxError).optional(),
})
export type DriftReport = z.infer<typeof DriftReport>

/**
 * What a hub takes beyond its protocol version, as its welcome lists them. An agent sends a
 * message type named here only to a hub that listed it: hubs before it close the socket on a
 * type they do not know (CloseCode.badFrame), and their welcome has no `features`.
 * drift_repaired: the hub stores `drift_repaired` messages.
 */
export const HUB_FEATURES = ['drift_repaired'] as const

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
    /** The epoch of that revision; absent from version 1 agents. */
    appliedEpoch: Epoch.optional(),
    /** The commands this agent runs; absent from version 1 agents (they run V1_COMMANDS). */
    commands: z.array(AnnouncedCommand).max(64).optional(),
    facts: AgentFacts,
    /** The outcome of the last self-update, until a welcome followed it; absent from older agents. */
    update: UpdateReport.optional(),
  }),
  z.object({ type: z.literal('heartbeat') }),
  z.object({
    type: z.literal('applied'),
    revision: z.number().int().min(0),
    /** The epoch of the state applied; absent from version 1 agents. */
    epoch: Epoch.optional(),
    ok: z.boolean(),
    error: AgentText.optional(),
    durationMs: z.number().min(0),
  }),
  z.object({
    type: z.literal('command_result'),
    id: z.string().max(64),
    ok: z.boolean(),
    result: z.unknown().optional(),
    error: AgentText.optional(),
  }),
  z.object({ type: z.literal('metrics'), at: z.string().max(40), sample: MetricsSample }),
  /** The agent found its host changed behind its back and repaired it; only to hubs with the feature. */
  DriftReport.extend({ type: z.literal('drift_repaired') }),
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
    /** HUB_FEATURES this hub has (names an agent does not know are ignored); absent from older hubs. */
    features: z.array(z.string().max(64)).max(64).optional(),
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
  /** A frame that could not be read (not JSON, too deep, not a message): nothing of it was kept. */
  badFrame: 4005,
  /** Too many failed registrations or hellos from this address: try again later. */
  throttled: 4006,
  /** The hub failed on its side; the agent reconnects. */
  internal: 1011,
  shuttingDown: 1001,
} as const
