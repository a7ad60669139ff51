/**
 * The releases the server offers from WIREWARP_RELEASES_DIR: newest per architecture, files
 * checked against their manifest, new releases seen without a restart, files streamed, names
 * looked up (never joined into paths), and the 0.1.0 routes still there.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ReleaseManifest, VersionInfo } from '@wirewarp/protocol'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { VERSION } from '../src/version.ts'
import { skipDb, startTestServer, type TestServer } from './harness.ts'

interface FakeFile {
  name: string
  arch: 'x64' | 'arm64' | 'any'
  content: Buffer | string
  /** What the manifest claims instead of the truth. */
  lie?: { size?: number; sha256?: string }
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')

/** A release directory as `npm run build:release` writes one, with tiny files. */
function writeRelease(root: string, dir: string, version: string, files: FakeFile[]): void {
  const at = path.join(root, dir)
  mkdirSync(at, { recursive: true })
  for (const f of files) writeFileSync(path.join(at, f.name), f.content)
  const manifest: ReleaseManifest = {
    version,
    builtAt: '2026-12-01T00:00:00.000Z',
    node: '24.22.3',
    files: files.map((f) => ({
      name: f.name,
      version,
      arch: f.arch,
      platform: 'linux',
      libc: f.arch === 'any' ? 'any' : 'glibc',
      size: f.lie?.size ?? Buffer.byteLength(f.content),
      sha256: f.lie?.sha256 ?? sha256(f.content),
    })),
  }
  writeFileSync(path.join(at, 'manifest.json'), JSON.stringify(manifest, null, 2))
}

/** The three files of a release, each saying which version and architecture it is. */
const agentFiles = (v: string, arches: Array<'x64' | 'arm64' | 'any'> = ['x64', 'arm64', 'any']): FakeFile[] =>
  arches.map((arch) => ({
    name: arch === 'any' ? 'wirewarp-agent.mjs' : `wirewarp-agent-linux-${arch}`,
    arch,
    content: `agent ${v} ${arch}\n`,
  }))

const BIG = 24 * 1024 * 1024

describe.skipIf(await skipDb())('releases', () => {
  let t: TestServer
  let root: string
  const logLines: string[] = []
  const big = randomBytes(BIG)
  const get = (url: string, init?: RequestInit) => fetch(`${t.url}${url}`, init)

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'wirewarp-releases-'))
    writeRelease(root, '90.0.0', '90.0.0', agentFiles('90.0.0'))
    writeRelease(root, '91.0.0', '91.0.0', agentFiles('91.0.0', ['x64']))
    // Newer, but lying: neither may be offered.
    const [x95] = agentFiles('95.0.0', ['x64'])
    writeRelease(root, '95.0.0', '95.0.0', [{ ...x95!, lie: { sha256: sha256('something else') } }])
    const [a96] = agentFiles('96.0.0', ['arm64'])
    writeRelease(root, '96.0.0', '96.0.0', [{ ...a96!, lie: { size: 4096 } }])
    // Older than the rest: reachable only by its version.
    writeRelease(root, '50.0.0', '50.0.0', [{ name: 'big-agent', arch: 'x64', content: big }])
    const log = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) })
    t = await startTestServer({ releasesDir: root }, log)
  })
  afterAll(async () => {
    await t?.close()
    rmSync(root, { recursive: true, force: true })
  })

  test('the manifest lists the newest verified file per architecture; lying releases are skipped, with the reason logged', async () => {
    const r = await get('/releases/manifest.json')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^application\/json/)
    const m = ReleaseManifest.parse(await r.json())
    expect(m.version).toBe('91.0.0')
    expect(Object.fromEntries(m.files.map((f) => [f.name, [f.arch, f.version]]))).toEqual({
      'wirewarp-agent-linux-x64': ['x64', '91.0.0'],
      'wirewarp-agent-linux-arm64': ['arm64', '90.0.0'],
      'wirewarp-agent.mjs': ['any', '90.0.0'],
    })
    for (const f of m.files) expect(f.sha256).toBe(sha256(`agent ${f.version} ${f.arch}\n`))

    const warnings = logLines.map((l) => JSON.parse(l) as { msg: string; release: string; reason: string })
    const why = (dir: string) => warnings.find((w) => w.release === path.join(root, dir))?.reason
    expect(why('95.0.0')).toMatch(/^wirewarp-agent-linux-x64 has SHA-256 [0-9a-f]{64}, the manifest says/)
    expect(why('96.0.0')).toMatch(/^wirewarp-agent-linux-arm64 is \d+ bytes, the manifest says 4096/)
    for (const v of ['95.0.0', '96.0.0'])
      expect((await get(`/releases/${v}/manifest.json`)).status, `${v} offered`).toBe(404)
  })

  test('SHA256SUMS has one sha256sum line per file of the manifest', async () => {
    const m = ReleaseManifest.parse(await (await get('/releases/manifest.json')).json())
    const r = await get('/releases/SHA256SUMS')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await r.text()).toBe(m.files.map((f) => `${f.sha256}  ${f.name}\n`).join(''))
  })

  test('a file by name is the newest; by version, that version; HEAD gives the headers only', async () => {
    const r = await get('/releases/wirewarp-agent-linux-x64')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/octet-stream')
    expect(r.headers.get('content-length')).toBe(String('agent 91.0.0 x64\n'.length))
    expect(r.headers.get('x-content-sha256')).toBe(sha256('agent 91.0.0 x64\n'))
    expect(await r.text()).toBe('agent 91.0.0 x64\n')

    expect(await (await get('/releases/wirewarp-agent-linux-arm64')).text()).toBe('agent 90.0.0 arm64\n')
    expect(await (await get('/releases/90.0.0/wirewarp-agent-linux-x64')).text()).toBe('agent 90.0.0 x64\n')
    const m90 = ReleaseManifest.parse(await (await get('/releases/90.0.0/manifest.json')).json())
    expect(m90.files.map((f) => f.version)).toEqual(['90.0.0', '90.0.0', '90.0.0'])
    expect(await (await get('/releases/91.0.0/SHA256SUMS')).text()).toBe(
      `${sha256('agent 91.0.0 x64\n')}  wirewarp-agent-linux-x64\n`,
    )

    const head = await get('/releases/90.0.0/wirewarp-agent.mjs', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String('agent 90.0.0 any\n'.length))
    expect(head.headers.get('x-content-sha256')).toBe(sha256('agent 90.0.0 any\n'))
    expect(await head.text()).toBe('')
    const bigHead = await get('/releases/50.0.0/big-agent', { method: 'HEAD' })
    expect(bigHead.headers.get('content-length')).toBe(String(BIG))
  })

  test.each([
    '/releases/..%2fmanifest.json',
    '/releases/..%2f..%2f..%2fpackage.json',
    '/releases/%2fetc%2fpasswd',
    '/releases/90.0.0%2fwirewarp-agent.mjs',
    '/releases/90.0.0/..%2f91.0.0%2fwirewarp-agent-linux-x64',
    '/releases/90.0.0/%2fetc%2fpasswd',
    '/releases/..%2f90.0.0/wirewarp-agent.mjs',
    '/releases/..%2f..%2f..%2f..%2f..%2f..%2fetc/passwd',
    '/releases/big-agent', // not the newest for its target, so offered only by version
    '/releases/99.0.0/wirewarp-agent.mjs',
  ])('%s is not a release file (404)', async (url) => {
    const r = await get(url)
    expect(r.status).toBe(404)
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('not_found')
  })

  test('a NUL in a name is refused before any lookup (400)', async () => {
    expect((await get('/releases/wirewarp-agent.mjs%00')).status).toBe(400)
    expect((await get('/releases/90.0.0/wirewarp-agent.mjs%00.txt')).status).toBe(400)
  })

  test('/api/version: the server version and the newest agent per architecture', async () => {
    const r = await get('/api/version')
    expect(r.status).toBe(200)
    expect(VersionInfo.parse(await r.json())).toEqual({
      server: VERSION,
      agents: { x64: '91.0.0', arm64: '90.0.0', any: '90.0.0' },
    })
  })

  test('a large file is streamed: a client reading slowly does not make the server hold it in memory', async () => {
    const before = process.memoryUsage().arrayBuffers
    const r = await get('/releases/50.0.0/big-agent')
    expect(r.headers.get('content-length')).toBe(String(BIG))
    const reader = r.body!.getReader()
    const first = await reader.read()
    await new Promise((resolve) => setTimeout(resolve, 300))
    // Read whole (readFile), the file would sit in memory now, a reply waiting on the client.
    const held = process.memoryUsage().arrayBuffers - before
    expect(held).toBeLessThan(BIG / 2)
    const hash = createHash('sha256').update(first.value!)
    let length = first.value!.byteLength
    for (let c = await reader.read(); !c.done; c = await reader.read()) {
      hash.update(c.value)
      length += c.value.byteLength
    }
    expect(length).toBe(BIG)
    expect(hash.digest('hex')).toBe(sha256(big))
  })

  test('a release dropped in while running is offered without a restart; a file changed after its check is not served', async () => {
    writeRelease(root, '.incoming', '92.0.0', agentFiles('92.0.0', ['arm64']))
    renameSync(path.join(root, '.incoming'), path.join(root, '92.0.0'))
    await vi.waitFor(
      async () => {
        const v = VersionInfo.parse(await (await get('/api/version')).json())
        expect(v.agents).toEqual({ x64: '91.0.0', arm64: '92.0.0', any: '90.0.0' })
      },
      { timeout: 10_000, interval: 250 },
    )
    expect(await (await get('/releases/wirewarp-agent-linux-arm64')).text()).toBe('agent 92.0.0 arm64\n')

    // Same size, other bytes: refused at once (the file is no longer the one checked), then dropped.
    writeFileSync(path.join(root, '91.0.0', 'wirewarp-agent-linux-x64'), 'AGENT 91.0.0 X64\n')
    const now = await get('/releases/91.0.0/wirewarp-agent-linux-x64')
    expect([503, 404]).toContain(now.status)
    expect(await now.text()).not.toContain('AGENT')
    await vi.waitFor(
      async () => {
        const v = VersionInfo.parse(await (await get('/api/version')).json())
        expect(v.agents.x64).toBe('90.0.0')
      },
      { timeout: 10_000, interval: 250 },
    )
    expect(await (await get('/releases/wirewarp-agent-linux-x64')).text()).toBe('agent 90.0.0 x64\n')
    expect((await get('/releases/91.0.0/wirewarp-agent-linux-x64')).status).toBe(404)
  })

  test('the 0.1.0 routes still serve the plain bundle', async () => {
    const js = await get('/releases/wirewarp-agent.js')
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
    const body = Buffer.from(await js.arrayBuffer())
    expect(await (await get('/releases/wirewarp-agent.js.sha256')).text()).toBe(`${sha256(body)}  wirewarp-agent.js\n`)
    expect(await (await get('/releases/latest.json')).json()).toEqual({
      version: VERSION,
      sha256: sha256(body),
      url: '/releases/wirewarp-agent.js',
    })
  })
})
