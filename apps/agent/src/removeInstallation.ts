/**
 * Removes the agent's installation from the host: its executable, command link, config, state,
 * service files, and whatever the installer listed in /usr/local/lib/wirewarp/installed — but
 * only paths under the installation's known roots, so a damaged or hostile list cannot make the
 * agent delete anything else (symbolic links are removed, never followed).
 */
import { lstat, readFile, realpath, rm, rmdir } from 'node:fs/promises'
import path from 'node:path'

/** Where the install script puts things; `prefix` moves them all (tests install into a directory). */
export interface InstallLayout {
  prefix: string
  /** The executable, the .mjs bundle and the `installed` list. */
  lib: string
  /** The `wirewarp-agent` command (a link or wrapper script). */
  bin: string
  etc: string
  state: string
  systemdUnit: string
  openrcScript: string
  /** One path per line, written by the installer: files it placed outside the directories above. */
  installedList: string
}

/** The environment variable that moves the layout under a directory (the install script's too). */
export const PREFIX_ENV = 'WIREWARP_PREFIX'

export function installLayout(prefix = process.env[PREFIX_ENV] ?? ''): InstallLayout {
  const p = prefix ? path.resolve(prefix) : ''
  const lib = `${p}/usr/local/lib/wirewarp`
  return {
    prefix: p,
    lib,
    bin: `${p}/usr/local/bin/wirewarp-agent`,
    etc: `${p}/etc/wirewarp`,
    state: `${p}/var/lib/wirewarp`,
    systemdUnit: `${p}/etc/systemd/system/wirewarp-agent.service`,
    openrcScript: `${p}/etc/init.d/wirewarp-agent`,
    installedList: `${lib}/installed`,
  }
}

interface Roots {
  /** Directories removed with everything in them. */
  trees: string[]
  /** Directories in which only entries named wirewarp-… may be removed. */
  named: string[]
}

function rootsOf(l: InstallLayout): Roots {
  const p = l.prefix
  return {
    trees: [l.lib, l.etc, l.state],
    named: [
      `${p}/usr/local/bin`,
      `${p}/etc/systemd/system`,
      `${p}/etc/systemd/system/multi-user.target.wants`,
      `${p}/etc/init.d`,
      `${p}/etc/conf.d`,
      `${p}/etc/runlevels/default`,
      `${p}/var/log`,
    ],
  }
}

/** Directories the installer may have had to create on the way to the roots (a bare container). */
function parentsOf(roots: Roots, prefix: string): Set<string> {
  const parents = new Set<string>()
  for (const r of [...roots.trees, ...roots.named])
    for (let d = r; d.length > prefix.length + 1 && d !== '/'; d = path.dirname(d)) parents.add(d)
  return parents
}

function within(roots: Roots, file: string): boolean {
  if (roots.trees.some((r) => file === r || file.startsWith(`${r}/`))) return true
  return roots.named.some((r) => path.dirname(file) === r && path.basename(file).startsWith('wirewarp-'))
}

/** The roots with their symbolic links resolved (/etc/init.d is a link on some distributions). */
async function realRoots(roots: Roots): Promise<Roots> {
  const real = (r: string) => realpath(r).catch(() => r)
  return { trees: await Promise.all(roots.trees.map(real)), named: await Promise.all(roots.named.map(real)) }
}

export interface RemovalReport {
  removed: string[]
  /** Listed paths not removed because they are outside the installation's roots. */
  ignored: { path: string; reason: string }[]
  failed: { path: string; error: string }[]
}

export interface RemoveOptions {
  layout: InstallLayout
  /** The config file the agent runs with (removed even when it lies elsewhere: it holds the credential). */
  configPath: string
  /** The agent's state directory; removed when it is under the layout's state directory. */
  stateDir: string
}

async function listedPaths(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .slice(0, 1000)
}

export async function removeInstallation(o: RemoveOptions): Promise<RemovalReport> {
  const report: RemovalReport = { removed: [], ignored: [], failed: [] }
  const roots = rootsOf(o.layout)
  const real = await realRoots(roots)
  const targets: string[] = []
  const parents = parentsOf(roots, o.layout.prefix)
  /** Listed directories on the way to the roots: removed only when nothing else is left in them. */
  const emptyDirs: string[] = []

  // Read before anything is removed: the list lives in the directory removed below.
  for (const entry of await listedPaths(o.layout.installedList)) {
    if (!path.isAbsolute(entry)) {
      report.ignored.push({ path: entry, reason: 'not an absolute path' })
      continue
    }
    const file = path.resolve(entry)
    if (parents.has(file) && !within(roots, file)) {
      emptyDirs.push(file)
      continue
    }
    // Lexically inside, and still inside once the links on the way there are resolved.
    const parent = await realpath(path.dirname(file)).catch(() => null)
    if (!within(roots, file) || (parent !== null && !within(real, path.join(parent, path.basename(file))))) {
      report.ignored.push({ path: entry, reason: 'outside the agent’s installation directories' })
      continue
    }
    targets.push(file)
  }

  const configPath = path.resolve(o.configPath)
  // A config file elsewhere is removed as the one file it is, never as a directory tree.
  const singleFile = within(roots, configPath) ? null : configPath
  targets.push(o.layout.bin, o.layout.systemdUnit, o.layout.openrcScript, configPath)
  const stateDir = path.resolve(o.stateDir)
  if (within({ trees: [o.layout.state], named: [] }, stateDir)) targets.push(o.layout.state)
  else report.ignored.push({ path: stateDir, reason: 'a state directory outside the installation; remove it yourself' })
  targets.push(o.layout.etc, o.layout.lib)

  for (const file of new Set(targets)) {
    if (report.removed.some((r) => file.startsWith(`${r}/`))) continue
    try {
      await lstat(file)
    } catch {
      continue // not there: nothing to remove
    }
    try {
      // rm removes a symbolic link itself, never what it points to.
      await rm(file, { recursive: file !== singleFile, force: true })
      report.removed.push(file)
    } catch (err) {
      report.failed.push({ path: file, error: (err as Error).message })
    }
  }
  // Deepest first; rmdir removes only an empty directory, so nothing else on the host can go.
  for (const d of emptyDirs.sort((a, b) => b.length - a.length))
    await rmdir(d).then(
      () => report.removed.push(d),
      () => {},
    )
  // Sorted, and an entry inside a directory removed after it is folded into that directory.
  report.removed = report.removed.filter((f) => !report.removed.some((r) => f.startsWith(`${r}/`))).sort()
  return report
}
