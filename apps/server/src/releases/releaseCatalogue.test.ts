import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { ReleaseCatalogue } from './releaseCatalogue.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-catalogue-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const log = pino({ level: 'silent' })
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

function bundleAt(version: string | undefined): string {
  mkdirSync(path.join(dir, 'agent/dist'), { recursive: true })
  if (version) writeFileSync(path.join(dir, 'agent/package.json'), JSON.stringify({ version }))
  const bundle = path.join(dir, 'agent/dist/wirewarp-agent.js')
  writeFileSync(bundle, 'console.log("agent")\n')
  return bundle
}

test('without a release build, the plain bundle is offered as wirewarp-agent.mjs for any host, at the agent version', async () => {
  const c = new ReleaseCatalogue({
    builtinDir: path.join(dir, 'no-release'),
    agentBundle: bundleAt('3.4.5'),
    agentVersion: '0.0.1',
    releasesDir: undefined,
    log,
  })
  const { latest, agents } = await c.current()
  expect(agents).toEqual({ any: '3.4.5' })
  expect(latest?.manifest.files).toEqual([
    {
      name: 'wirewarp-agent.mjs',
      version: '3.4.5',
      arch: 'any',
      platform: 'linux',
      libc: 'any',
      size: 21,
      sha256: sha256('console.log("agent")\n'),
    },
  ])
})

test('the bundle takes the given version when no package.json sits next to its dist/', async () => {
  const c = new ReleaseCatalogue({
    builtinDir: path.join(dir, 'no-release'),
    agentBundle: bundleAt(undefined),
    agentVersion: '0.0.1',
    releasesDir: undefined,
    log,
  })
  expect((await c.current()).agents).toEqual({ any: '0.0.1' })
})

test('nothing built, nothing dropped in: nothing offered', async () => {
  const c = new ReleaseCatalogue({
    builtinDir: path.join(dir, 'no-release'),
    agentBundle: path.join(dir, 'no-bundle.js'),
    agentVersion: '0.0.1',
    releasesDir: undefined,
    log,
  })
  expect(await c.current()).toEqual({ releases: new Map(), latest: undefined, agents: {} })
})
