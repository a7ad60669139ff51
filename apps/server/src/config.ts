/** Reads and validates the server's configuration from the environment, once, at start. */
import { statSync } from 'node:fs'
import path from 'node:path'
import ipaddr from 'ipaddr.js'
import { z } from 'zod'

/**
 * Which reverse proxies may tell us a client's address and protocol: none (false), the nearest
 * N hops, or the proxies at these addresses/networks. Never "every hop": the first entry of
 * X-Forwarded-For is whatever the client wrote.
 */
export type TrustProxy = false | number | string[]

// proxy-addr (Fastify's X-Forwarded-For walker) knows these names for the usual private ranges.
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal'])

function isAddressOrNetwork(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true
  const [address = '', prefix] = entry.split('/')
  // Dotted quads only: ipaddr.js also reads "1.5" as 1.0.0.5, which is surely a typo here.
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) return false
  if (prefix === undefined) return true
  try {
    ipaddr.parseCIDR(entry)
    return true
  } catch {
    return false
  }
}

const TrustProxyEnv = z
  .string()
  .default('false')
  .transform((raw, ctx): TrustProxy => {
    const v = raw.trim().toLowerCase()
    if (v === '' || v === 'false' || v === '0') return false
    // `true` once meant "trust every hop", which let a client pick its own address; now it is
    // the common case of one proxy (Caddy or nginx) in front of the server.
    if (v === 'true') return 1
    if (/^\d+$/.test(v)) return Number(v)
    const entries = v.split(',').map((e) => e.trim())
    const bad = entries.filter((e) => !isAddressOrNetwork(e))
    if (bad.length === 0) return entries
    ctx.addIssue({
      code: 'custom',
      message: `must be true, false, a number of proxy hops, or a comma-separated list of proxy IP addresses or CIDR networks (not valid: ${bad.join(', ')})`,
    })
    return z.NEVER
  })

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))

const ConfigEnv = z.object({
  PORT: z.coerce
    .number({ error: 'must be a port number from 1 to 65535 (0 picks a free one)' })
    .int({ error: 'must be a whole number' })
    // 0 lets the system pick a free port (tests); the log line says which.
    .min(0, { error: 'must be from 1 to 65535 (0 picks a free one)' })
    .max(65535, { error: 'must be from 1 to 65535 (0 picks a free one)' })
    .default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    error: 'must start with postgres:// (leave it unset for the embedded SQLite database)',
  }),
  WIREWARP_DATA_DIR: z.string().min(1).default('./data'),
  WIREWARP_SECRET: optionalText.refine((v) => v === undefined || v.length >= 32, {
    error: 'must be at least 32 characters (or unset, to have one generated into the data directory)',
  }),
  WIREWARP_ADMIN_EMAIL: optionalText.pipe(z.email({ error: 'must be an email address' }).optional()),
  WIREWARP_ADMIN_PASSWORD: optionalText.refine((v) => v === undefined || v.length >= 12, {
    error: 'must be at least 12 characters',
  }),
  WIREWARP_PUBLIC_URL: optionalText.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), {
    error: 'must be an http(s) URL such as https://wirewarp.example.com',
  }),
  WIREWARP_SESSION_IDLE_HOURS: z.coerce
    .number({ error: 'must be a number of hours' })
    .positive()
    .max(24 * 30)
    .default(12),
  WIREWARP_SESSION_MAX_DAYS: z.coerce.number({ error: 'must be a number of days' }).positive().max(365).default(7),
  WIREWARP_TRUST_PROXY: TrustProxyEnv,
  WIREWARP_REQUEST_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(1, { error: 'must be at least 1' })
    .max(3600, { error: 'must be at most 3600' })
    .default(30),
  WIREWARP_METRICS_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a number of days' })
    .positive({ error: 'must be more than 0' })
    .max(3650)
    .default(7),
  WIREWARP_AGENT_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(1, { error: 'must be at least 1' })
    .max(3600)
    .default(90),
  WIREWARP_RELEASES_DIR: optionalText.refine((v) => v === undefined || isDirectory(v), {
    error: 'must be an existing directory (agent releases, each a sub-directory with its manifest.json)',
  }),
  WIREWARP_LOCAL_AGENT: z
    .enum(['', 'true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('')
    .transform((v) => v === 'true' || v === '1'),
  WIREWARP_LOCAL_AGENT_DRIVER: z.enum(['linux', 'recording'], { error: 'must be linux or recording' }).default('linux'),
  WIREWARP_LOCAL_AGENT_COMMAND: optionalText,
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
})

export interface Config {
  port: number
  host: string
  databaseUrl: string | undefined
  dataDir: string
  secret: string | undefined
  adminEmail: string | undefined
  adminPassword: string | undefined
  publicUrl: string | undefined
  sessionIdleMs: number
  sessionMaxMs: number
  trustProxy: TrustProxy
  /** How long a client may take to send a whole request, headers and body. */
  requestTimeoutMs: number
  logLevel: string
  metricsRetentionMs: number
  agentDeadAfterMs: number
  /** Agent releases an operator adds without upgrading the server; rescanned while running. */
  releasesDir?: string | undefined
  /**
   * Single-host mode: the server registers and runs a server-mode agent on its own host. The
   * command (whitespace-separated words, no shell) starts the agent, e.g. `sudo -n` before it or
   * an installed wirewarp-agent; by default this Node runs the bundled agent.
   */
  localAgent?: { enabled: boolean; driver: 'linux' | 'recording'; command: string[] | undefined } | undefined
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigEnv.safeParse(env)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`))
  }
  const e = parsed.data
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.WIREWARP_DATA_DIR),
    secret: e.WIREWARP_SECRET,
    adminEmail: e.WIREWARP_ADMIN_EMAIL?.toLowerCase(),
    adminPassword: e.WIREWARP_ADMIN_PASSWORD,
    publicUrl: e.WIREWARP_PUBLIC_URL?.replace(/\/+$/, ''),
    sessionIdleMs: e.WIREWARP_SESSION_IDLE_HOURS * 3600_000,
    sessionMaxMs: e.WIREWARP_SESSION_MAX_DAYS * 86400_000,
    trustProxy: e.WIREWARP_TRUST_PROXY,
    requestTimeoutMs: e.WIREWARP_REQUEST_TIMEOUT_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
    metricsRetentionMs: e.WIREWARP_METRICS_RETENTION_DAYS * 86400_000,
    agentDeadAfterMs: e.WIREWARP_AGENT_TIMEOUT_SECONDS * 1000,
    releasesDir: e.WIREWARP_RELEASES_DIR === undefined ? undefined : path.resolve(e.WIREWARP_RELEASES_DIR),
    localAgent: {
      enabled: e.WIREWARP_LOCAL_AGENT,
      driver: e.WIREWARP_LOCAL_AGENT_DRIVER,
      command: e.WIREWARP_LOCAL_AGENT_COMMAND?.split(/\s+/),
    },
  }
}
