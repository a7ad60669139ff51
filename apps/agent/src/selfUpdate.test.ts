import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import {
  installUpdate,
  LAUNCHER_ENV,
  readUpdateRecord,
  UpdateRefused,
  updateReport,
  updateTarget,
  writeUpdateRecord,
} from './selfUpdate.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-self-update-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let n = 0
function setup() {
  const d = path.join(dir, `case-${++n}`)
  mkdirSync(path.join(d, 'state'), { recursive: true })
  const target = path.join(d, 'wirewarp-agent.mjs')
  writeFileSync(target, 'old bundle')
  return { d, target, stateDir: path.join(d, 'state') }
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')
const serve = (body: string, status = 200) => (async () => new Response(body, { status })) as typeof fetch
const params = (body: string, extra: Record<string, unknown> = {}) => ({
  version: '0.2.0',
  url: 'http://server.test/releases/0.2.0/wirewarp-agent.mjs',
  sha256: sha(body),
  size: Buffer.byteLength(body),
  ...extra,
})
const now = () => new Date('2026-01-01T00:00:00.000Z')

describe('updateTarget', () => {
  test('the bundle Node runs, or the single executable; only under the launcher', async () => {
    const { target } = setup()
    const env = { [LAUNCHER_ENV]: '/usr/local/lib/wirewarp/wirewarp-launcher' }
    expect(await updateTarget({ isSea: () => false, execPath: '/usr/bin/node', script: target, env })).toBe(target)
    expect(await updateTarget({ isSea: () => true, execPath: target, script: target, env })).toBe(target)
    await expect(
      updateTarget({ isSea: () => false, execPath: '/usr/bin/node', script: target, env: {} }),
    ).rejects.toThrow(
      /^this agent is not running from an installed file it can replace \(it was not started by wirewarp-launcher/,
    )
    await expect(
      updateTarget({ isSea: () => undefined, execPath: '/usr/bin/node', script: '/src/main.ts', env }),
    ).rejects.toThrow(/not running from an installed file it can replace \(it runs \/src\/main\.ts/)
    await expect(
      updateTarget({ isSea: () => false, execPath: '/usr/bin/node', script: `${target}.gone.mjs`, env }),
    ).rejects.toThrow(UpdateRefused)
  })
})

describe('installUpdate', () => {
  test('verifies, keeps the old file as .previous, records pending, swaps', async () => {
    const { target, stateDir } = setup()
    const r = await installUpdate(params('new bundle', { deadlineSeconds: 30 }), {
      target,
      stateDir,
      currentVersion: '0.1.0',
      fetch: serve('new bundle'),
      now,
    })
    expect(r).toEqual({ from: '0.1.0', to: '0.2.0', state: 'restarting' })
    expect(readFileSync(target, 'utf8')).toBe('new bundle')
    expect(statSync(target).mode & 0o777).toBe(0o755)
    expect(readFileSync(`${target}.previous`, 'utf8')).toBe('old bundle')
    expect(existsSync(`${target}.download`)).toBe(false)
    const text = readFileSync(path.join(stateDir, 'update.json'), 'utf8')
    expect(text.trimEnd().split('\n')).toHaveLength(1)
    expect(await readUpdateRecord(stateDir)).toEqual({
      from: '0.1.0',
      to: '0.2.0',
      sha256: sha('new bundle'),
      startedAt: '2026-01-01T00:00:00.000Z',
      deadlineAt: '2026-01-01T00:00:30.000Z',
      deadlineSeconds: 30,
      starts: 0,
      state: 'pending',
      reason: null,
      finishedAt: null,
      reported: false,
    })
  })

  test.each([
    ['other bytes', 'tampered!!', /expected SHA-256 [0-9a-f]{64}, got [0-9a-f]{64}\); nothing was changed$/],
    ['fewer bytes', 'short', /expected 10 bytes, got 5\); nothing was changed$/],
    ['more bytes', 'much longer than that', /expected 10 bytes, got more\); nothing was changed$/],
  ])('%s than the manifest says: refused, nothing changed', async (_what, body, message) => {
    const { target, stateDir } = setup()
    const p = params('new bundle')
    const err = await installUpdate(p, { target, stateDir, currentVersion: '0.1.0', fetch: serve(body), now }).catch(
      (e) => e,
    )
    expect(err).toBeInstanceOf(UpdateRefused)
    expect(err.message).toMatch(/^the download does not match the release manifest \(/)
    expect(err.message).toMatch(message)
    expect(readFileSync(target, 'utf8')).toBe('old bundle')
    for (const f of [`${target}.download`, `${target}.previous`, path.join(stateDir, 'update.json')])
      expect(existsSync(f), f).toBe(false)
  })

  test('a failed download or bad params change nothing', async () => {
    const { target, stateDir } = setup()
    const o = { target, stateDir, currentVersion: '0.1.0', now }
    await expect(installUpdate(params('x'), { ...o, fetch: serve('', 404) })).rejects.toThrow(
      /answered 404; nothing was changed/,
    )
    await expect(installUpdate({ ...params('x'), sha256: 'ABC' }, { ...o, fetch: serve('x') })).rejects.toThrow(
      /invalid update parameters: sha256/,
    )
    expect(readFileSync(target, 'utf8')).toBe('old bundle')
  })
})

describe('the record', () => {
  test('reports a finished update until reported; reads what the launcher writes', async () => {
    const { stateDir } = setup()
    expect(await readUpdateRecord(stateDir)).toBe(null)
    writeFileSync(
      path.join(stateDir, 'update.json'),
      '{"from":"0.1.0","to":"0.2.0","sha256":"ab","startedAt":"s","deadlineAt":"d","deadlineSeconds":120,"starts":1,"state":"rolled_back","reason":"the new version exited with code 1 before it connected","finishedAt":"2026-01-01T00:01:00Z","reported":false}\n',
    )
    const r = await readUpdateRecord(stateDir)
    expect(updateReport(r)).toEqual({
      state: 'rolled_back',
      from: '0.1.0',
      to: '0.2.0',
      reason: 'the new version exited with code 1 before it connected',
      at: '2026-01-01T00:01:00Z',
    })
    await writeUpdateRecord(stateDir, { ...r!, reported: true })
    expect(updateReport(await readUpdateRecord(stateDir))).toBe(undefined)
    expect(updateReport({ ...r!, state: 'pending' })).toBe(undefined)
    writeFileSync(path.join(stateDir, 'update.json'), '{"state":"pending"')
    expect(await readUpdateRecord(stateDir)).toBe(null)
  })
})
