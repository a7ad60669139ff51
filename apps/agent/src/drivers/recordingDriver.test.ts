import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { clientState, serverState } from '../testing/sampleStates.ts'
import { createDriver } from './createDriver.ts'
import { LinuxDriver } from './linuxDriver.ts'
import { RecordingDriver } from './recordingDriver.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-rec-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

test('records one line per apply and summarises the last state', async () => {
  const d = new RecordingDriver(dir, () => new Date('2026-01-01T00:00:00.000Z'))
  expect(await d.capabilities()).toEqual({ driver: 'recording' })
  await d.apply(serverState(1))
  await d.apply(clientState(2))
  const lines = (await readFile(path.join(dir, 'recording.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  expect(lines).toEqual([
    { at: '2026-01-01T00:00:00.000Z', revision: 1, mode: 'server', state: serverState(1) },
    { at: '2026-01-01T00:00:00.000Z', revision: 2, mode: 'client', state: clientState(2) },
  ])
  await d.apply(serverState(3))
  expect(await d.diagnostics()).toMatchObject({
    driver: 'recording',
    appliesSinceStart: 3,
    lastState: { revision: 3, mode: 'server', interface: 'wg0', peers: 1, forwards: 1 },
  })
})

test('recording.fail makes applies fail with its text', async () => {
  const d = new RecordingDriver(dir)
  await writeFile(path.join(dir, 'recording.fail'), 'nft: syntax error\n')
  await expect(d.apply(serverState(1))).rejects.toThrow('nft: syntax error')
})

test('createDriver makes the driver the config names', () => {
  expect(createDriver({ driver: 'recording', stateDir: dir })).toBeInstanceOf(RecordingDriver)
  expect(createDriver({ driver: 'linux', stateDir: dir })).toBeInstanceOf(LinuxDriver)
})
