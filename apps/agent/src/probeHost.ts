/**
 * Finds out what the host offers, for the `host` of the agent's facts: kernel or userspace
 * WireGuard, the nftables version, the distribution, the init system, and how the agent itself is
 * installed. Every probe is bounded in time and never fails: what cannot be told reads "unknown".
 */
import { access, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { HostFacts } from '@wirewarp/protocol'
import { CommandFailed, run as hostRun, type Run } from './exec/run.ts'

/** A probe that takes longer than this is given up: hello must not wait on a hung tool. */
const PROBE_TIMEOUT_MS = 3000

export interface HostProbeDeps {
  run: Run
  /** Whether a path exists (files, directories, /sys entries). */
  exists: (file: string) => Promise<boolean>
  /** A file's text, or null when it cannot be read. */
  readText: (file: string) => Promise<string | null>
  /** The single-executable API's answer; undefined on a Node without `node:sea`. */
  isSea: () => boolean | undefined
  execPath: string
  /** The script Node runs (process.argv[1]). */
  script: string | undefined
  nodeVersion: string
}

function nodeSea(): { isSea(): boolean } | undefined {
  // node:sea arrived in Node 20.12 and getBuiltinModule in 20.16: an older Node has neither.
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule
  return get?.('node:sea') as { isSea(): boolean } | undefined
}

export const hostProbeDeps: HostProbeDeps = {
  run: hostRun,
  exists: (file) =>
    access(file).then(
      () => true,
      () => false,
    ),
  readText: (file) => readFile(file, 'utf8').catch(() => null),
  isSea: () => nodeSea()?.isSea(),
  execPath: process.execPath,
  script: process.argv[1],
  nodeVersion: process.versions.node,
}

const notInstalled = (err: unknown) => err instanceof CommandFailed && err.reason === 'ENOENT'

async function probeWireguard(d: HostProbeDeps): Promise<HostFacts['wireguard']> {
  if (await d.exists('/sys/module/wireguard')) return 'kernel'
  // Not loaded yet, but installed: `ip link add … type wireguard` loads it.
  const module = await d.run(['modinfo', '-n', 'wireguard'], { timeoutMs: PROBE_TIMEOUT_MS }).then(
    (out) => out.trim() !== '',
    () => false,
  )
  if (module) return 'kernel'
  // Any answer but "not installed" means wireguard-go is there (old builds exit 1 on --version).
  const userspace = await d.run(['wireguard-go', '--version'], { timeoutMs: PROBE_TIMEOUT_MS }).then(
    () => true,
    (err) => !notInstalled(err),
  )
  return userspace ? 'userspace' : 'none'
}

async function probeNftables(d: HostProbeDeps): Promise<string | null> {
  try {
    const out = await d.run(['nft', '--version'], { timeoutMs: PROBE_TIMEOUT_MS })
    // "nftables v1.0.6 (Lester Gooch #5)"
    return out.match(/\bv\d[\w.]*/)?.[0]?.slice(0, 64) ?? 'unknown'
  } catch (err) {
    return notInstalled(err) ? null : 'unknown'
  }
}

/** PRETTY_NAME from os-release text, unquoted; null when absent. */
export function prettyName(osRelease: string): string | null {
  for (const line of osRelease.split('\n')) {
    const m = line.match(/^PRETTY_NAME=(.*)$/)
    if (!m) continue
    let value = m[1]!.trim()
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["'\\$`])/g, '$1')
    // Printable characters only, within the protocol's bound.
    const clean = [...value].filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f).join('')
    return clean.slice(0, 128) || null
  }
  return null
}

async function probeDistribution(d: HostProbeDeps): Promise<string | null> {
  const text = (await d.readText('/etc/os-release')) ?? (await d.readText('/usr/lib/os-release'))
  return text === null ? null : prettyName(text)
}

async function probeInit(d: HostProbeDeps): Promise<HostFacts['init']> {
  if (await d.exists('/run/systemd/system')) return 'systemd'
  if ((await d.exists('/run/openrc')) || (await d.exists('/sbin/openrc-run'))) return 'openrc'
  return 'other'
}

function probeInstall(d: HostProbeDeps): HostFacts['install'] {
  const sea = d.isSea()
  if (sea === true) return 'executable'
  // Without node:sea: a single executable runs itself, so its script is its own path.
  if (sea === undefined && d.script === d.execPath) return 'executable'
  const ext = path.extname(d.script ?? '')
  if (ext === '.mjs' || ext === '.js' || ext === '.cjs') return 'bundle'
  if (ext === '.ts') return 'source'
  return 'unknown'
}

/** Probes the host; never rejects. */
export async function probeHost(d: HostProbeDeps = hostProbeDeps): Promise<HostFacts> {
  const [wireguard, nftables, distribution, init] = await Promise.all([
    probeWireguard(d).catch(() => 'unknown' as const),
    probeNftables(d).catch(() => 'unknown'),
    probeDistribution(d).catch(() => null),
    probeInit(d).catch(() => 'unknown' as const),
  ])
  let install: HostFacts['install']
  try {
    install = probeInstall(d)
  } catch {
    install = 'unknown'
  }
  return { wireguard, nftables, distribution, init, install, node: d.nodeVersion.slice(0, 32) }
}
