/**
 * The agent's configuration file (YAML, default /etc/wirewarp/agent.yaml): where the server is,
 * who this agent is, and how it applies state. Written by `register` with mode 0600 because it
 * holds the credential; read and validated by `run`.
 */
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { InterfaceName } from '@wirewarp/protocol'
import YAML from 'yaml'
import { z } from 'zod'
import { writeFileAtomic } from './writeFileAtomic.ts'

export const DEFAULT_CONFIG_PATH = '/etc/wirewarp/agent.yaml'
export const DEFAULT_STATE_DIR = '/var/lib/wirewarp'

export const HttpUrl = z
  .string({ error: 'must be the server URL, such as https://wirewarp.example.com' })
  .refine((v) => /^https?:\/\/[^/\s]+/i.test(v) && URL.canParse(v), {
    error: 'must be an http:// or https:// URL, such as https://wirewarp.example.com',
  })

export const AgentConfig = z.object({
  serverUrl: HttpUrl,
  agentId: z.string({ error: 'must be the agent id the server gave at registration' }).min(1).max(64),
  credential: z.string({ error: 'must be the credential the server gave at registration' }).min(1).max(200),
  mode: z.enum(['server', 'client'], { error: 'must be server or client' }),
  /** Name given with `register --name`; only a label for people reading this file. */
  name: z.string({ error: 'must be a text' }).max(64).optional(),
  stateDir: z.string({ error: 'must be a directory path' }).min(1).default(DEFAULT_STATE_DIR),
  driver: z.enum(['linux', 'recording'], { error: 'must be linux or recording' }).default('linux'),
  interface: z.string({ error: 'must be an interface name such as wg0' }).pipe(InterfaceName).default('wg0'),
  metricsSeconds: z
    .number({ error: 'must be a number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(1, { error: 'must be at least 1' })
    .default(30),
})
export type AgentConfig = z.infer<typeof AgentConfig>

/** A config file that cannot be used; `message` names the file and, when it is one, the key. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string | null,
    message: string,
  ) {
    super(message)
  }
}

export interface LoadedConfig {
  config: AgentConfig
  /** Problems worth a warning that do not stop the agent, such as a misspelt optional key. */
  warnings: string[]
}

export async function loadAgentConfig(file: string): Promise<LoadedConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const hint = e.code === 'ENOENT' ? ' (register first: wirewarp-agent register --url URL --token TOKEN)' : ''
    throw new ConfigError(file, null, `cannot read the config file ${file}: ${e.message}${hint}`)
  }
  let raw: unknown
  try {
    raw = YAML.parse(text)
  } catch (err) {
    throw new ConfigError(file, null, `${file} is not valid YAML: ${(err as Error).message}`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(
      file,
      null,
      `${file} must hold keys such as serverUrl: and agentId:, but it is empty or a list`,
    )

  const parsed = AgentConfig.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const key = issue.path.map(String).join('.')
    const present = issue.path.length > 0 && (issue.path[0] as string) in raw
    // Messages shared with the protocol start with a capital ("Must be…"); here they end a sentence.
    const reason = present ? issue.message.charAt(0).toLowerCase() + issue.message.slice(1) : 'is missing'
    throw new ConfigError(file, key, `${file}: key ${key} ${reason}`)
  }
  const known = new Set(Object.keys(AgentConfig.shape))
  const warnings = Object.keys(raw)
    .filter((k) => !known.has(k))
    .map((k) => `${file}: unknown key ${k} is ignored`)
  const config = parsed.data
  // Relative to the config file, not to whatever directory a service manager started us in.
  config.stateDir = path.resolve(path.dirname(file), config.stateDir)
  return { config, warnings }
}

/** Writes the config atomically with mode 0600, creating its directory with mode 0700. */
export async function saveAgentConfig(file: string, config: AgentConfig): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  const body = YAML.stringify(AgentConfig.parse(config))
  const header =
    '# wirewarp-agent configuration, written by `wirewarp-agent register`.\n' +
    '# The credential is a secret: keep this file readable by root only (mode 0600).\n'
  await writeFileAtomic(file, header + body, { mode: 0o600 })
}
