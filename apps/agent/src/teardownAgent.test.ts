import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { teardownAgent } from './teardownAgent.ts'

let dir: string
let out: string
let err: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-teardown-'))
  out = ''
  err = ''
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const teardown = (configPath: string) =>
  teardownAgent({ configPath, print: (t) => (out += t), printError: (t) => (err += `${t}\n`) })

test('the recording driver has nothing to remove', async () => {
  const configPath = path.join(dir, 'agent.yaml')
  await writeFile(
    configPath,
    `serverUrl: http://x\nagentId: a\ncredential: c\nmode: server\nstateDir: ${dir}\ndriver: recording\n`,
  )
  expect(await teardown(configPath)).toBe(0)
  expect(out).toBe('The recording driver changes nothing on the host; nothing to remove.\n')
})

test('a missing config exits 2 and says so', async () => {
  expect(await teardown(path.join(dir, 'nope.yaml'))).toBe(2)
  expect(err).toMatch(/^teardown: cannot read the config file .*nope\.yaml/)
})
