/**
 * Self-update, the agent's half (docs/design/self-update.md): the `update` command downloads a
 * release next to the running executable, checks its size and SHA-256 while it streams, keeps
 * the running file as `<executable>.previous`, writes the update record `<stateDir>/update.json`
 * (pending) and renames the download over the executable; the agent then exits with EXIT_RESTART.
 * The launcher (apps/server/src/install/launcher.ts) starts the new version and rolls back if it
 * exits or does not confirm within the deadline; the new version confirms once it has connected
 * and applied its state. The record is one line of JSON, so the launcher can read it with sed.
 */
import { createHash } from 'node:crypto'
import { access, chmod, constants, copyFile, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import path from 'node:path'
import {
  UPDATE_DEFAULT_DEADLINE_SECONDS,
  UpdateCommandParams,
  type UpdateCommandResult,
  type UpdateReport,
} from '@wirewarp/protocol'
import { z } from 'zod'
import { agentText } from './agentText.ts'
import { writeFileAtomic } from './writeFileAtomic.ts'

export const UPDATE_RECORD_FILE = 'update.json'
/** The launcher sets it to its own path for the agent it starts. */
export const LAUNCHER_ENV = 'WIREWARP_LAUNCHER'

export interface UpdateRecord {
  from: string
  to: string
  sha256: string
  startedAt: string
  deadlineAt: string
  /** The deadline again, in seconds, for the launcher (which counts from the new version's start). */
  deadlineSeconds: number
  /** How many times the launcher started the new version. */
  starts: number
  state: 'pending' | 'confirmed' | 'rolled_back'
  reason: string | null
  /** When it was confirmed or rolled back. */
  finishedAt: string | null
  /** Whether a hello carried the outcome and the server welcomed it. */
  reported: boolean
}

/** The update cannot start; nothing was changed. */
export class UpdateRefused extends Error {}

export interface UpdateTargetDeps {
  isSea: () => boolean | undefined
  execPath: string
  script: string | undefined
  env: NodeJS.ProcessEnv
}

/**
 * The file an update replaces: the single executable itself, else the bundle Node runs. Throws
 * UpdateRefused when there is none, or when no launcher started this agent (no rollback).
 */
export async function updateTarget(d: UpdateTargetDeps): Promise<string> {
  const refuse = (why: string) => {
    throw new UpdateRefused(`this agent is not running from an installed file it can replace (${why})`)
  }
  let target: string
  if (d.isSea()) target = d.execPath
  else {
    const script = d.script ? path.resolve(d.script) : ''
    if (!/\.(mjs|js)$/.test(script)) return refuse(`it runs ${script || 'no script'}, not a bundle or executable`)
    target = script
  }
  const st = await stat(target).catch(() => null)
  if (!st?.isFile()) return refuse(`${target} is not a file`)
  if (
    !(await access(path.dirname(target), constants.W_OK).then(
      () => true,
      () => false,
    ))
  )
    return refuse(`cannot write to ${path.dirname(target)}`)
  if (!d.env[LAUNCHER_ENV])
    return refuse(
      'it was not started by wirewarp-launcher, which rolls a failed update back: re-run the install command to install it',
    )
  return target
}

export const recordPath = (stateDir: string) => path.join(stateDir, UPDATE_RECORD_FILE)

/** The record as read back: written by this agent, an older or newer one, or the launcher (sh). */
const UpdateRecordFile = z.object({
  from: z.string().max(64),
  to: z.string().max(64),
  sha256: z.string().max(64).catch(''),
  startedAt: z.string().max(40).catch(''),
  deadlineAt: z.string().max(40).catch(''),
  deadlineSeconds: z.number().int().min(1).catch(UPDATE_DEFAULT_DEADLINE_SECONDS),
  starts: z.number().int().min(0).catch(0),
  state: z.enum(['pending', 'confirmed', 'rolled_back']),
  reason: z.string().max(2000).nullable().catch(null),
  finishedAt: z.string().max(40).nullable().catch(null),
  reported: z.boolean().catch(false),
})

/** The update record, or null when there is none or it cannot be read. */
export async function readUpdateRecord(stateDir: string): Promise<UpdateRecord | null> {
  const text = await readFile(recordPath(stateDir), 'utf8').catch(() => null)
  if (text === null) return null
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return null
  }
  const parsed = UpdateRecordFile.safeParse(json)
  return parsed.success ? parsed.data : null
}

export function writeUpdateRecord(stateDir: string, r: UpdateRecord): Promise<void> {
  // One line: the launcher reads it with sed.
  return writeFileAtomic(recordPath(stateDir), `${JSON.stringify(r)}\n`, { mode: 0o600 })
}

/** What the next hello reports, if anything. */
export function updateReport(r: UpdateRecord | null): UpdateReport | undefined {
  if (!r || r.reported || r.state === 'pending') return undefined
  return {
    state: r.state,
    from: r.from.slice(0, 64),
    to: r.to.slice(0, 64),
    reason: r.reason === null ? null : agentText(r.reason).slice(0, 500),
    at: (r.finishedAt ?? r.startedAt).slice(0, 40),
  }
}

export interface InstallUpdateOptions {
  target: string
  stateDir: string
  currentVersion: string
  fetch?: typeof fetch
  now?: () => Date
}

function describeParams(params: unknown): UpdateCommandParams {
  const parsed = UpdateCommandParams.safeParse(params)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw new UpdateRefused(`invalid update parameters: ${issue?.path.join('.') || 'params'}: ${issue?.message}`)
}

/** Downloads, verifies and swaps in the release; the caller exits with EXIT_RESTART after reporting. */
export async function installUpdate(rawParams: unknown, o: InstallUpdateOptions): Promise<UpdateCommandResult> {
  const p = describeParams(rawParams)
  const now = o.now ?? (() => new Date())
  const download = `${o.target}.download`
  const previous = `${o.target}.previous`
  await unlink(download).catch(() => {})
  let recorded = false
  try {
    await fetchVerified(p, download, o.fetch ?? fetch)
    await chmod(download, 0o755)
    // copyFile keeps the mode; an old backup is replaced.
    await copyFile(o.target, previous)
    const started = now()
    const deadlineSeconds = p.deadlineSeconds ?? UPDATE_DEFAULT_DEADLINE_SECONDS
    await writeUpdateRecord(o.stateDir, {
      from: o.currentVersion,
      to: p.version,
      sha256: p.sha256,
      startedAt: started.toISOString(),
      deadlineAt: new Date(started.getTime() + deadlineSeconds * 1000).toISOString(),
      deadlineSeconds,
      starts: 0,
      state: 'pending',
      reason: null,
      finishedAt: null,
      reported: false,
    })
    recorded = true
    await rename(download, o.target)
  } catch (err) {
    await unlink(download).catch(() => {})
    // The executable was not replaced: no update is pending.
    if (recorded) await unlink(recordPath(o.stateDir)).catch(() => {})
    throw err
  }
  return { from: o.currentVersion, to: p.version, state: 'restarting' }
}

async function fetchVerified(p: UpdateCommandParams, file: string, doFetch: typeof fetch): Promise<void> {
  let res: Response
  try {
    res = await doFetch(p.url, { signal: AbortSignal.timeout(10 * 60_000) })
  } catch (err) {
    throw new UpdateRefused(`cannot download ${p.url}: ${(err as Error).message}; nothing was changed`)
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {})
    throw new UpdateRefused(`cannot download ${p.url}: the server answered ${res.status}; nothing was changed`)
  }
  const mismatch = (what: string) =>
    new UpdateRefused(`the download does not match the release manifest (${what}); nothing was changed`)
  const hash = createHash('sha256')
  let size = 0
  const fh = await open(file, 'wx', 0o600)
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength
      if (size > p.size) throw mismatch(`expected ${p.size} bytes, got more`)
      hash.update(chunk)
      await fh.write(chunk)
    }
    await fh.sync()
  } finally {
    await fh.close()
  }
  if (size !== p.size) throw mismatch(`expected ${p.size} bytes, got ${size}`)
  const sha = hash.digest('hex')
  if (sha !== p.sha256) throw mismatch(`expected SHA-256 ${p.sha256}, got ${sha}`)
}
