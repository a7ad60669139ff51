/**
 * What `npm run build:release` made in dist/release/: the manifest matches the files, each
 * executable is an ELF for its CPU that needs only glibc ≥ 2.28 and libstdc++, the x64 one runs
 * here with no Node reachable and registers with a hub, and the arm64 one answers `--version`
 * under qemu-aarch64-static. Skipped when there is no build on a laptop; under CI=true (.ci/run
 * builds it first) a missing build fails.
 */
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ReleaseManifest } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startFakeHub } from '../../apps/agent/src/testing/fakeHub.ts'
import { serverState } from '../../apps/agent/src/testing/sampleStates.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const OUT = path.join(ROOT, 'dist/release')
const MANIFEST = path.join(OUT, 'manifest.json')
const CI = process.env.CI === 'true'
const built = existsSync(MANIFEST)
const X64 = path.join(OUT, 'wirewarp-agent-linux-x64')
const ARM64 = path.join(OUT, 'wirewarp-agent-linux-arm64')
const hostX64 = process.platform === 'linux' && process.arch === 'x64'
/** Debian's libc6-arm64-cross etc. put an aarch64 glibc and libstdc++ here for qemu's -L. */
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu'
const qemu = ['/usr/bin/qemu-aarch64-static', '/usr/bin/qemu-aarch64'].find((p) => existsSync(p))

interface Run {
  code: number
  stdout: string
  stderr: string
}
function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** What the dynamic linker needs: DT_NEEDED libraries and the GLIBC_/GLIBCXX_ versions named. */
async function elfDynamic(file: string): Promise<{ machine: number; needed: string[]; versions: string[] }> {
  const f = await open(file, 'r')
  try {
    const read = async (offset: number, length: number) => {
      const b = Buffer.alloc(length)
      await f.read(b, 0, length, offset)
      return b
    }
    const h = await read(0, 64)
    expect(h.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))
    expect(h[4]).toBe(2) // ELFCLASS64
    expect(h[5]).toBe(1) // little-endian
    const machine = h.readUInt16LE(18)
    const shoff = Number(h.readBigUInt64LE(0x28))
    const shentsize = h.readUInt16LE(0x3a)
    const shnum = h.readUInt16LE(0x3c)
    const shstrndx = h.readUInt16LE(0x3e)
    const table = await read(shoff, shentsize * shnum)
    const sections = Array.from({ length: shnum }, (_, i) => {
      const s = table.subarray(i * shentsize)
      return {
        name: s.readUInt32LE(0),
        type: s.readUInt32LE(4),
        offset: Number(s.readBigUInt64LE(0x18)),
        size: Number(s.readBigUInt64LE(0x20)),
        link: s.readUInt32LE(0x28),
      }
    })
    const bytesOf = (s: { offset: number; size: number }) => read(s.offset, s.size)
    const names = await bytesOf(sections[shstrndx]!)
    const nameOf = (o: number) => names.toString('latin1', o, names.indexOf(0, o))
    const dynamic = sections.find((s) => s.type === 6)! // SHT_DYNAMIC
    const dynstr = await bytesOf(sections[dynamic.link]!)
    const strAt = (o: number) => dynstr.toString('latin1', o, dynstr.indexOf(0, o))
    const dyn = await bytesOf(dynamic)
    const needed: string[] = []
    for (let o = 0; o + 16 <= dyn.length; o += 16) {
      const tag = dyn.readBigInt64LE(o)
      if (tag === 0n) break
      if (tag === 1n) needed.push(strAt(Number(dyn.readBigUInt64LE(o + 8)))) // DT_NEEDED
    }
    // .gnu.version_r (SHT_GNU_verneed): the symbol versions required from each library.
    const verneed = sections.find((s) => s.type === 0x6ffffffe && nameOf(s.name) === '.gnu.version_r')!
    const vn = await bytesOf(verneed)
    const versions: string[] = []
    for (let o = 0; ; ) {
      const cnt = vn.readUInt16LE(o + 2)
      const aux = vn.readUInt32LE(o + 8)
      const next = vn.readUInt32LE(o + 12)
      for (let a = o + aux, i = 0; i < cnt; i++) {
        versions.push(strAt(vn.readUInt32LE(a + 8)))
        const n = vn.readUInt32LE(a + 12)
        if (n === 0) break
        a += n
      }
      if (next === 0) break
      o += next
    }
    return { machine, needed, versions }
  } finally {
    await f.close()
  }
}

/** 2.28 → [2, 28], for comparing versions numerically. */
const parts = (v: string) => v.split('.').map(Number)
const atMost = (v: string, max: string) => {
  const [a, b] = [parts(v), parts(max)]
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0)
  return true
}

describe.skipIf(!built && !CI)('release build (dist/release)', () => {
  let manifest: ReleaseManifest
  let agentVersion: string
  let pinnedNode: string
  beforeAll(async () => {
    if (!built) throw new Error(`${MANIFEST} is missing: run npm run build:release first (.ci/run does)`)
    manifest = ReleaseManifest.parse(JSON.parse(await readFile(MANIFEST, 'utf8')))
    agentVersion = JSON.parse(await readFile(path.join(ROOT, 'apps/agent/package.json'), 'utf8')).version
    pinnedNode = JSON.parse(await readFile(path.join(ROOT, 'scripts/release/pins.json'), 'utf8')).node.version
  })

  test('the manifest lists the three files with their real size and SHA-256', async () => {
    expect(manifest.version).toBe(agentVersion)
    expect(manifest.node).toBe(pinnedNode)
    expect(manifest.files.map((f) => [f.name, f.arch, f.libc, f.platform, f.version])).toEqual([
      ['wirewarp-agent-linux-x64', 'x64', 'glibc', 'linux', agentVersion],
      ['wirewarp-agent-linux-arm64', 'arm64', 'glibc', 'linux', agentVersion],
      ['wirewarp-agent.mjs', 'any', 'any', 'linux', agentVersion],
    ])
    for (const f of manifest.files) {
      const file = path.join(OUT, f.name)
      expect((await stat(file)).size, f.name).toBe(f.size)
      expect(await sha256(file), f.name).toBe(f.sha256)
    }
  })

  test.each([
    ['wirewarp-agent-linux-x64', 0x3e, 'ld-linux-x86-64.so.2'],
    ['wirewarp-agent-linux-arm64', 0xb7, 'ld-linux-aarch64.so.1'],
  ])('%s is an ELF for its CPU needing only glibc ≥ 2.28 and libstdc++', async (name, machine, loader) => {
    const elf = await elfDynamic(path.join(OUT, name))
    expect(elf.machine).toBe(machine)
    const allowed = [
      'libc.so.6',
      'libm.so.6',
      'libdl.so.2',
      'libpthread.so.0',
      'libstdc++.so.6',
      'libgcc_s.so.1',
      loader,
    ]
    expect(elf.needed.filter((lib) => !allowed.includes(lib))).toEqual([])
    expect(elf.needed).toContain('libstdc++.so.6')
    const glibc = elf.versions.filter((v) => v.startsWith('GLIBC_2.')).map((v) => v.slice('GLIBC_'.length))
    expect(glibc.length).toBeGreaterThan(0)
    expect(glibc.filter((v) => !atMost(v, '2.28'))).toEqual([])
  })

  describe.skipIf(!hostX64)('the x64 executable on this host, with no Node reachable', () => {
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'wirewarp-release-'))
    })
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true })
    })

    test('--version, --help and a bad command', async () => {
      // An empty environment: no PATH, so no node; the executable is called by its absolute path.
      expect(await run(X64, ['--version'])).toEqual({ code: 0, stdout: `${agentVersion}\n`, stderr: '' })
      const help = await run(X64, ['--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(/wirewarp-agent register --url URL --token TOKEN/)
      const bad = await run(X64, ['frobnicate'])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/unknown command "frobnicate"/)
      expect(bad.stderr).not.toMatch(/ExperimentalWarning|SEA/)
      // Node's own options are not parsed: they reach the agent as its arguments.
      expect((await run(X64, ['--eval', '1'])).stderr).toMatch(/unknown command "--eval"/)
    })

    test('registers with a hub and runs: WebSocket, YAML, keys and signals inside the executable', async () => {
      const hub = await startFakeHub()
      try {
        const config = path.join(dir, 'agent.yaml')
        const r = await run(X64, [
          'register',
          ...['--url', hub.url, '--token', 'wwr_releasetest', '--mode', 'server'],
          ...['--config', config, '--state-dir', path.join(dir, 'state'), '--driver', 'recording'],
        ])
        expect(r.stderr).toBe('')
        expect(r.code).toBe(0)
        expect(r.stdout).toMatch(/Registered with http:\/\/127\.0\.0\.1:\d+ as server agent agent-1/)
        const sent = await hub.waitFor('register')
        expect(sent).toMatchObject({ token: 'wwr_releasetest', kind: 'server', facts: { version: agentVersion } })
        expect((await stat(config)).mode & 0o777).toBe(0o600)

        // run: connects, applies a desired state with the recording driver, stops on SIGTERM.
        const child = spawn(X64, ['run', '--config', config], { env: {} })
        let stderr = ''
        child.stderr.on('data', (d) => {
          stderr += d
        })
        const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
        try {
          await expect.poll(() => stderr, { timeout: 15_000 }).toMatch(/info connected to /)
          const conn = hub.connections.at(-1)!
          conn.send({ type: 'desired_state', state: serverState(1) })
          await expect.poll(() => stderr, { timeout: 15_000 }).toMatch(/info applied revision 1 /)
          child.kill('SIGTERM')
          expect(await exited).toBe(0)
          expect((await conn.closed).code).toBe(1000)
        } finally {
          if (child.exitCode === null) child.kill('SIGKILL')
        }
      } finally {
        await hub.close()
      }
    })
  })

  // .ci/run installs qemu-user-static and the aarch64 glibc/libstdc++ (libc6-arm64-cross,
  // libstdc++6-arm64-cross); on a laptop without them this part is skipped.
  const canEmulate = qemu !== undefined && existsSync(path.join(ARM64_SYSROOT, 'lib/ld-linux-aarch64.so.1'))
  test.skipIf(!canEmulate && !CI)('the arm64 executable answers --version under qemu-aarch64-static', async () => {
    if (!canEmulate) throw new Error(`CI needs qemu-aarch64-static and an aarch64 sysroot in ${ARM64_SYSROOT}`)
    expect(await run(qemu!, ['-L', ARM64_SYSROOT, ARM64, '--version'])).toEqual({
      code: 0,
      stdout: `${agentVersion}\n`,
      stderr: '',
    })
  })

  test('the .mjs bundle is the plain ESM agent', async () => {
    const head = (await readFile(path.join(OUT, 'wirewarp-agent.mjs'), 'utf8')).slice(0, 200)
    expect(head.startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(await run(process.execPath, [path.join(OUT, 'wirewarp-agent.mjs'), '--version'])).toMatchObject({
      code: 0,
      stdout: `${agentVersion}\n`,
    })
  })
})
