/**
 * The agent releases this server offers: its built-in build (dist/release, or else the plain
 * bundle) and the release directories an operator drops into WIREWARP_RELEASES_DIR. A release is
 * offered only after every file in it was found with its manifest's size and SHA-256 (hashed as a
 * stream, once per file version); a request rescans when the last scan is a few seconds old, so
 * a new release needs no restart.
 */
import type { Dirent } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { ReleaseManifest, ReleaseVersion, type VersionInfo } from '@wirewarp/protocol'
import type { FastifyBaseLogger } from 'fastify'
import { z } from 'zod'
import { compareVersions } from './compareVersions.ts'
import { type FileIdentity, hashFile } from './hashFile.ts'

type ManifestFile = ReleaseManifest['files'][number]

export interface ServedFile extends ManifestFile {
  /** Where the bytes are on this server's disk. */
  path: string
  /** The file as it was when its SHA-256 was checked; once it differs, it is not served. */
  identity: FileIdentity
}

export interface Release {
  manifest: ReleaseManifest
  /** The release directory (for the built-in fallback, the agent bundle's directory). */
  dir: string
  files: Map<string, ServedFile>
}

export interface Catalogue {
  /** Every verified release by version, newest first. */
  releases: Map<string, Release>
  /** The newest file per architecture and libc, as one manifest; undefined when nothing is offered. */
  latest: { manifest: ReleaseManifest; files: Map<string, ServedFile> } | undefined
  /** The newest agent version per architecture. */
  agents: VersionInfo['agents']
}

export interface CatalogueOptions {
  /** dist/release of this checkout, when `npm run build:release` wrote it. */
  builtinDir: string
  /** apps/agent/dist/wirewarp-agent.js, offered as wirewarp-agent.mjs when there is no built-in release. */
  agentBundle: string
  /** The bundle's version when no package.json sits next to its dist/ (the server's version). */
  agentVersion: string
  releasesDir: string | undefined
  log: FastifyBaseLogger
  /** How old a scan may get before the next request rescans. */
  rescanMs?: number
}

/** Names the routes answer themselves: a release may not call one of its files so. */
const RESERVED_NAMES = new Set(['manifest.json', 'SHA256SUMS'])
const MAX_MANIFEST_BYTES = 1024 * 1024

/** Why one release is not offered; the scan logs it and goes on with the others. */
class Unusable extends Error {}

export class ReleaseCatalogue {
  private catalogue: Catalogue | undefined
  private scannedAt = 0
  private scanning: Promise<Catalogue> | undefined
  // Logged once while they last, not on every rescan.
  private warnings = new Set<string>()
  private announced = new Set<string>()

  constructor(private readonly opts: CatalogueOptions) {}

  /** The catalogue, rescanned first when the last scan is older than `rescanMs`. */
  async current(): Promise<Catalogue> {
    if (this.catalogue && Date.now() - this.scannedAt < (this.opts.rescanMs ?? 2000)) return this.catalogue
    this.scanning ??= this.scan().finally(() => {
      this.scanning = undefined
    })
    return this.scanning
  }

  /** A served file changed or vanished on disk: the next request rescans. */
  invalidate(): void {
    this.scannedAt = 0
  }

  private async scan(): Promise<Catalogue> {
    const started = Date.now()
    const warnings = new Set<string>()
    const warn = (where: string, why: string) => {
      const line = `${where}: ${why}`
      warnings.add(line)
      if (!this.warnings.has(line)) this.opts.log.warn({ release: where, reason: why }, 'release not offered')
    }

    // Precedence for equal versions: the operator's directory, then the built-in build.
    const loaded: Release[] = []
    for (const dir of await this.operatorDirs(warn)) {
      try {
        loaded.push(await loadRelease(dir))
      } catch (err) {
        warn(dir, err instanceof Unusable ? err.message : `cannot be read (${(err as Error).message})`)
      }
    }
    try {
      const builtin = await this.builtinRelease()
      if (builtin) loaded.push(builtin)
    } catch (err) {
      warn(this.opts.builtinDir, err instanceof Unusable ? err.message : `cannot be read (${(err as Error).message})`)
    }

    const byVersion = new Map<string, Release>()
    for (const r of loaded) {
      const first = byVersion.get(r.manifest.version)
      if (first) warn(r.dir, `version ${r.manifest.version} is also in ${first.dir}, which is offered instead`)
      else byVersion.set(r.manifest.version, r)
    }
    const releases = new Map(
      [...byVersion.entries()].sort(([a], [b]) => compareVersions(b, a)), // newest first
    )

    const catalogue = { releases, ...newestPerArch(releases, warn) }
    for (const r of releases.values()) {
      const key = `${r.manifest.version} ${r.dir}`
      if (this.announced.has(key)) continue
      this.announced.add(key)
      this.opts.log.info(
        { version: r.manifest.version, dir: r.dir, files: [...r.files.keys()], ms: Date.now() - started },
        'release offered',
      )
    }
    this.warnings = warnings
    this.catalogue = catalogue
    this.scannedAt = Date.now()
    return catalogue
  }

  /** WIREWARP_RELEASES_DIR itself when it holds a manifest, and each of its sub-directories. */
  private async operatorDirs(warn: (where: string, why: string) => void): Promise<string[]> {
    const root = this.opts.releasesDir
    if (root === undefined) return []
    let entries: Dirent[]
    try {
      entries = await readdir(root, { withFileTypes: true })
    } catch (err) {
      warn(root, `WIREWARP_RELEASES_DIR cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
      return []
    }
    const dirs = entries.some((e) => e.name === 'manifest.json') ? [root] : []
    // Dot-directories are skipped: copy a release in as .name, then rename it into place.
    for (const e of entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const dir = path.join(root, e.name)
      if (e.isDirectory() || (e.isSymbolicLink() && (await stat(dir).catch(() => undefined))?.isDirectory()))
        dirs.push(dir)
    }
    return dirs
  }

  /** dist/release when it was built; otherwise the plain bundle, when the agent was built. */
  private async builtinRelease(): Promise<Release | undefined> {
    if (await isFile(path.join(this.opts.builtinDir, 'manifest.json'))) return loadRelease(this.opts.builtinDir)
    const bundle = this.opts.agentBundle
    const st = await stat(bundle).catch(() => undefined)
    if (!st?.isFile()) return undefined
    const identity = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino }
    const version = await packageVersion(path.resolve(path.dirname(bundle), '../package.json'), this.opts.agentVersion)
    const file = {
      name: 'wirewarp-agent.mjs',
      version,
      arch: 'any',
      platform: 'linux',
      libc: 'any',
      size: st.size,
      sha256: await hashFile(bundle, identity),
    } as const
    // The bundle embeds no Node: the Node running this server is recorded as the one it goes with.
    const manifest = ReleaseManifest.parse({
      version,
      builtAt: st.mtime.toISOString(),
      node: process.versions.node,
      files: [file],
    })
    return { manifest, dir: path.dirname(bundle), files: new Map([[file.name, { ...file, path: bundle, identity }]]) }
  }
}

/** Reads and checks one release directory; throws Unusable naming the file and what is wrong. */
async function loadRelease(dir: string): Promise<Release> {
  const manifestPath = path.join(dir, 'manifest.json')
  const st = await stat(manifestPath).catch(() => undefined)
  if (!st?.isFile()) throw new Unusable('has no manifest.json')
  if (st.size > MAX_MANIFEST_BYTES) throw new Unusable(`manifest.json is over ${MAX_MANIFEST_BYTES} bytes`)
  let json: unknown
  try {
    json = JSON.parse(await readFile(manifestPath, 'utf8'))
  } catch (err) {
    throw new Unusable(`manifest.json is not JSON (${(err as Error).message})`)
  }
  const parsed = ReleaseManifest.safeParse(json)
  if (!parsed.success)
    throw new Unusable(
      `manifest.json is not a release manifest: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(top)'} ${i.message}`)
        .join('; ')}`,
    )
  const manifest = parsed.data

  const names = new Set<string>()
  const targets = new Set<string>()
  for (const f of manifest.files) {
    if (f.version !== manifest.version)
      throw new Unusable(`${f.name} is listed as version ${f.version} in a release of ${manifest.version}`)
    if (RESERVED_NAMES.has(f.name)) throw new Unusable(`a file may not be called ${f.name}`)
    if (names.has(f.name)) throw new Unusable(`${f.name} is listed twice`)
    const target = `${f.arch}/${f.libc}`
    if (targets.has(target)) throw new Unusable(`two files are for ${f.arch} with libc ${f.libc}`)
    names.add(f.name)
    targets.add(target)
  }

  const files = new Map<string, ServedFile>()
  for (const f of manifest.files) {
    const file = path.join(dir, f.name)
    const fst = await stat(file).catch(() => undefined)
    if (!fst?.isFile()) throw new Unusable(`${f.name} is missing`)
    if (fst.size !== f.size) throw new Unusable(`${f.name} is ${fst.size} bytes, the manifest says ${f.size}`)
    files.set(f.name, { ...f, path: file, identity: { size: fst.size, mtimeMs: fst.mtimeMs, ino: fst.ino } })
  }
  // Sizes first, for every file: a release being copied in fails fast, before any hashing.
  for (const f of files.values()) {
    const sha256 = await hashFile(f.path, f.identity)
    if (sha256 !== f.sha256) throw new Unusable(`${f.name} has SHA-256 ${sha256}, the manifest says ${f.sha256}`)
  }
  return { manifest, dir, files }
}

/** Per architecture and libc, the file of the newest release that has one, as one manifest. */
function newestPerArch(
  releases: Map<string, Release>,
  warn: (where: string, why: string) => void,
): Pick<Catalogue, 'latest' | 'agents'> {
  const newest = releases.values().next().value
  if (!newest) return { latest: undefined, agents: {} }
  const files = new Map<string, ServedFile>()
  const targets = new Set<string>()
  const agents: Catalogue['agents'] = {}
  for (const r of releases.values())
    for (const f of r.files.values()) {
      const target = `${f.arch}/${f.libc}`
      if (targets.has(target)) continue
      if (files.has(f.name)) {
        warn(
          r.dir,
          `${f.name} (${target}) has the name of a newer file for another target; it is offered only by version`,
        )
        continue
      }
      targets.add(target)
      files.set(f.name, f)
      const seen = agents[f.arch]
      if (seen === undefined || compareVersions(f.version, seen) > 0) agents[f.arch] = f.version
    }
  const manifest: ReleaseManifest = {
    version: newest.manifest.version,
    builtAt: newest.manifest.builtAt,
    node: newest.manifest.node,
    files: [...files.values()].map(({ path: _path, identity: _identity, ...f }) => f),
  }
  return { latest: { manifest, files }, agents }
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false
}

const AgentPackage = z.object({ version: ReleaseVersion })

async function packageVersion(file: string, otherwise: string): Promise<string> {
  try {
    const parsed = AgentPackage.safeParse(JSON.parse(await readFile(file, 'utf8')))
    return parsed.success ? parsed.data.version : otherwise
  } catch {
    return otherwise
  }
}
