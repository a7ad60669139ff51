/**
 * Podman for the install tests, offline (../shared/CONTAINERS.md has the recipe): a
 * containers.conf with ulimits root may set here and runc, and a stock Debian 12 base image made
 * with debootstrap from the host's own apt mirror, cached so that later runs take seconds.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Where the base root filesystem is kept between runs (WIREWARP_CI_CACHE overrides). */
export const CACHE_DIR = process.env.WIREWARP_CI_CACHE ?? '/var/cache/wirewarp-ci'
/** Stock Debian 12: minbase with curl and ca-certificates, no Node, no sudo. */
export const BASE_IMAGE = 'localhost/wirewarp-ci/debian:bookworm-minbase-curl'

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export interface Result {
  code: number
  out: string
}

export class Podman {
  readonly env: NodeJS.ProcessEnv

  constructor(readonly workDir: string) {
    // Root here lacks CAP_SYS_RESOURCE (podman's default ulimits fail); crun refuses hybrid cgroups.
    const nofile = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()
    const conf = path.join(workDir, 'containers.conf')
    writeFileSync(
      conf,
      `[containers]\ndefault_ulimits = ["nofile=${nofile}:${nofile}", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\n`,
    )
    this.env = { ...process.env, CONTAINERS_CONF: conf }
  }

  run(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<Result> {
    return new Promise((resolve) => {
      const child = execFile(
        'podman',
        args,
        { env: this.env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, out: stdout + stderr }),
      )
      if (opts.input !== undefined) child.stdin?.end(opts.input)
    })
  }

  async ok(args: string[], opts?: { timeoutMs?: number }): Promise<string> {
    const r = await this.run(args, opts)
    if (r.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.code}:\n${r.out}`)
    return r.out
  }

  /** The cached base image, else the cached root filesystem imported, else debootstrap first. */
  async ensureBaseImage(log: (line: string) => void): Promise<void> {
    if ((await this.run(['image', 'exists', BASE_IMAGE])).code === 0) return
    mkdirSync(CACHE_DIR, { recursive: true })
    const tarball = path.join(CACHE_DIR, 'debian-bookworm-minbase-curl.tar')
    if (!existsSync(tarball)) {
      const mirror = hostDebianMirror()
      const dir = path.join(CACHE_DIR, `rootfs.${process.pid}`)
      rmSync(dir, { recursive: true, force: true })
      log(`debootstrap bookworm from ${mirror} (once; cached in ${tarball})`)
      await command(
        'debootstrap',
        ['--variant=minbase', '--include=curl,ca-certificates', 'bookworm', dir, mirror],
        600_000,
      )
      await command('tar', ['-C', dir, '-cf', `${tarball}.tmp`, '.'], 300_000)
      renameSync(`${tarball}.tmp`, tarball)
      rmSync(dir, { recursive: true, force: true })
    }
    log(`podman import ${tarball} as ${BASE_IMAGE}`)
    await this.ok(['import', '--change', 'CMD ["/bin/bash"]', tarball, BASE_IMAGE], { timeoutMs: 300_000 })
  }
}

function command(file: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`)) : resolve(),
    )
  })
}

/**
 * The Debian mirror this machine's apt uses (never a hard-coded host: CI networks differ). The
 * image keeps it in its sources.list, so apt inside the container reaches the same mirror.
 */
export function hostDebianMirror(): string {
  const dir = '/etc/apt/sources.list.d'
  const sources = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sources')) : []
  for (const file of sources)
    for (const stanza of readFileSync(path.join(dir, file), 'utf8').split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1]
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1]?.split(/\s+/) ?? []
      if (uri && suites.includes('bookworm')) return uri
    }
  if (existsSync('/etc/apt/sources.list'))
    for (const line of readFileSync('/etc/apt/sources.list', 'utf8').split('\n')) {
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/.exec(line)
      if (m) return m[1]!
    }
  return 'http://deb.debian.org/debian'
}
