/**
 * `npm run build:release`: the agent as one executable per Linux architecture (a Node single
 * executable application embedding the Node pinned in pins.json), the plain `.mjs` bundle for
 * musl hosts, and manifest.json, in dist/release/.
 *
 * Node and postject come from the npm registry with `npm pack` into .release-cache/ and are
 * refused unless their sha512 equals the one pinned here: they are never workspace dependencies,
 * so `npm ci` works on any host. Re-runs reuse the cache.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type ReleaseFile, ReleaseManifest } from '@wirewarp/protocol'

const exec = promisify(execFile)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const AGENT = path.join(ROOT, 'apps/agent')
const CACHE = path.join(ROOT, '.release-cache')
const OUT = path.join(ROOT, 'dist/release')
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'
const ARCHES = ['x64', 'arm64'] as const
type Arch = (typeof ARCHES)[number]

interface Pin {
  name: string
  integrity: string
}
interface Pins {
  node: { version: string; packages: Record<Arch, Pin> }
  postject: Pin & { version: string }
}

// A failed step says what failed, without a stack trace of this script.
process.on('uncaughtException', (err) => {
  process.stderr.write(`build:release: ${err.message}\n`)
  process.exit(1)
})

const pins = JSON.parse(await readFile(path.join(ROOT, 'scripts/release/pins.json'), 'utf8')) as Pins
const agentVersion = (JSON.parse(await readFile(path.join(AGENT, 'package.json'), 'utf8')) as { version: string })
  .version
const started = Date.now()
const step = (text: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}\n`)

function sri(bytes: Buffer): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`
}

/**
 * `npm pack name@version` into the cache, checked against the pinned integrity; unpacked once
 * (a stamp file records what was unpacked). Returns the unpacked `package/` directory.
 */
async function fetchPinned(name: string, version: string, integrity: string): Promise<string> {
  const tgz = path.join(CACHE, `${name}-${version}.tgz`)
  const dir = path.join(CACHE, `${name}-${version}`)
  const stamp = path.join(dir, '.integrity')
  if ((await readFile(stamp, 'utf8').catch(() => '')) === integrity) return path.join(dir, 'package')
  let bytes = await readFile(tgz).catch(() => null)
  if (bytes === null || sri(bytes) !== integrity) {
    step(`npm pack ${name}@${version}`)
    await rm(tgz, { force: true })
    await exec('npm', ['pack', `${name}@${version}`, '--pack-destination', CACHE, '--silent'], {
      cwd: CACHE,
      maxBuffer: 1 << 20,
    })
    bytes = await readFile(tgz)
  }
  const actual = sri(bytes)
  if (actual !== integrity) {
    await rm(tgz, { force: true })
    throw new Error(
      `${name}@${version}: the downloaded package's integrity is ${actual}, but scripts/release/pins.json pins ${integrity}; refusing it`,
    )
  }
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  await exec('tar', ['-xzf', tgz, '-C', dir, '--no-same-owner'])
  await writeFile(stamp, integrity)
  return path.join(dir, 'package')
}

async function describeFile(name: string, arch: ReleaseFile['arch'], libc: ReleaseFile['libc']): Promise<ReleaseFile> {
  const bytes = await readFile(path.join(OUT, name))
  return {
    name,
    version: agentVersion,
    arch,
    platform: 'linux',
    libc,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  }
}

await mkdir(CACHE, { recursive: true })
await rm(OUT, { recursive: true, force: true })
await mkdir(OUT, { recursive: true })

// 1. The plain ESM bundle (what `npm run build -w apps/agent` makes), for hosts with their own Node.
step('bundle apps/agent (ESM)')
await exec(process.execPath, ['build.mjs'], { cwd: AGENT })
await copyFile(path.join(AGENT, 'dist/wirewarp-agent.js'), path.join(OUT, 'wirewarp-agent.mjs'))
await chmod(path.join(OUT, 'wirewarp-agent.mjs'), 0o755)

// 2. The same bundle as CommonJS: the main script of a Node 24 single executable must be CommonJS.
// Its require() loads built-in modules only; ws's optional native add-ons stay external, so ws's
// require() of them throws inside its try/catch and ws uses its JavaScript fallback.
step('bundle apps/agent (CommonJS, for the single executable)')
const work = path.join(CACHE, 'work')
await rm(work, { recursive: true, force: true })
await mkdir(work, { recursive: true })
const esbuild = createRequire(path.join(AGENT, 'package.json'))('esbuild') as typeof import('esbuild')
const seaMain = path.join(work, 'sea-main.cjs')
await esbuild.build({
  absWorkingDir: AGENT,
  entryPoints: ['src/main.ts'],
  outfile: seaMain,
  bundle: true,
  platform: 'node',
  target: `node${pins.node.version.split('.')[0]}`,
  format: 'cjs',
  alias: { '@wirewarp/protocol': '../../packages/protocol/src/index.ts' },
  external: ['bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
})

// 3. Pinned inputs.
const nodeDirs = {} as Record<Arch, string>
for (const arch of ARCHES) {
  const pin = pins.node.packages[arch]
  nodeDirs[arch] = await fetchPinned(pin.name, pins.node.version, pin.integrity)
}
const postjectDir = await fetchPinned(pins.postject.name, pins.postject.version, pins.postject.integrity)

/**
 * postject's API (LIEF compiled to WebAssembly; only its CLI needs commander, which is not
 * fetched), in a child process: LIEF warns about Node's many ELF notes ("Can't find string offset
 * for section name '.note.100'"), harmlessly, on every injection.
 */
async function inject(file: string, blobFile: string): Promise<void> {
  const script = `require(process.argv[1]).inject(process.argv[2], 'NODE_SEA_BLOB', require('node:fs').readFileSync(process.argv[3]), { sentinelFuse: process.argv[4] }).catch((e) => { console.error(e); process.exit(1) })`
  const api = path.join(postjectDir, 'dist/api.js')
  const result = await exec(process.execPath, ['-e', script, api, file, blobFile, SENTINEL_FUSE], {
    maxBuffer: 16 << 20,
  }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`postject failed on ${file}: ${err.stderr || err.stdout || err.message}`)
  })
  const noise = /^warning: Can't find string offset for section name '\.note[.\d]*'$/
  for (const line of `${result.stdout}${result.stderr}`.split('\n'))
    if (line.trim() && !noise.test(line)) process.stderr.write(`postject: ${line}\n`)
}

// 4. The preparation blob, made by the pinned Node itself (the blob must come from the same
// version as the binary it is injected into). Without code cache or snapshot the blob is the same
// for every platform, so the host's binary makes the one blob both executables get.
const hostArch = process.platform === 'linux' && (ARCHES as readonly string[]).includes(process.arch)
const blobMaker = hostArch
  ? path.join(nodeDirs[process.arch as Arch], 'bin/node')
  : process.version === `v${pins.node.version}`
    ? process.execPath
    : null
if (blobMaker === null)
  throw new Error(
    `build:release runs on Linux x64 or arm64, or with Node ${pins.node.version} itself (this is ${process.platform}-${process.arch}, Node ${process.version})`,
  )
step(`SEA blob with Node ${pins.node.version}`)
const blob = path.join(work, 'sea-prep.blob')
await writeFile(
  path.join(work, 'sea-config.json'),
  JSON.stringify({
    main: seaMain,
    output: blob,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
  }),
)
await exec(blobMaker, ['--experimental-sea-config', 'sea-config.json'], { cwd: work })

// 5. One executable per architecture: the pinned node binary with the blob injected.
for (const arch of ARCHES) {
  const name = `wirewarp-agent-linux-${arch}`
  step(`inject ${name}`)
  const tmp = path.join(work, name)
  await copyFile(path.join(nodeDirs[arch], 'bin/node'), tmp)
  await chmod(tmp, 0o755)
  await inject(tmp, blob)
  await rename(tmp, path.join(OUT, name))
}

// 6. A build that does not start is not a release.
if (hostArch && process.arch === 'x64') {
  const { stdout } = await exec(path.join(OUT, 'wirewarp-agent-linux-x64'), ['--version'], { env: {} })
  if (stdout.trim() !== agentVersion)
    throw new Error(`wirewarp-agent-linux-x64 --version printed "${stdout.trim()}", not ${agentVersion}`)
}

// 7. The manifest, checked against the schema the server reads it with.
const manifest = ReleaseManifest.parse({
  version: agentVersion,
  builtAt: new Date().toISOString(),
  node: pins.node.version,
  files: [
    await describeFile('wirewarp-agent-linux-x64', 'x64', 'glibc'),
    await describeFile('wirewarp-agent-linux-arm64', 'arm64', 'glibc'),
    await describeFile('wirewarp-agent.mjs', 'any', 'any'),
  ],
})
await writeFile(path.join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
await rm(work, { recursive: true, force: true })
for (const f of manifest.files) step(`${f.name}  ${(f.size / 1e6).toFixed(1)} MB  sha256 ${f.sha256}`)
step(`done: ${path.relative(ROOT, OUT)}/ (agent ${agentVersion}, Node ${pins.node.version})`)
