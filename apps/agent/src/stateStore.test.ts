import * as fs from 'node:fs/promises'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { StateStore } from './stateStore.ts'
import { clientState, serverState } from './testing/sampleStates.ts'
import type { AtomicFs } from './writeFileAtomic.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-state-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A file system whose writes stop half-way, as a crash or a full disk would. */
function failingMidWrite(): AtomicFs {
  return {
    rename: fs.rename,
    unlink: fs.unlink,
    open: (async (file: string, flags: string, mode: number) => {
      const fh = await fs.open(file, flags, mode)
      return new Proxy(fh, {
        get(target, prop) {
          if (prop === 'writeFile')
            return async (data: string) => {
              await target.writeFile(data.slice(0, data.length / 2))
              throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
            }
          const v = Reflect.get(target, prop)
          return typeof v === 'function' ? v.bind(target) : v
        },
      })
    }) as AtomicFs['open'],
  }
}

describe('StateStore', () => {
  test('nothing saved yet reads as null', async () => {
    const store = new StateStore(path.join(dir, 'new'))
    await store.open()
    expect(await store.loadState()).toBeNull()
    expect(await store.loadApplied()).toBeNull()
  })

  test('writes then reads back, mode 0600', async () => {
    const store = new StateStore(dir)
    await store.open()
    await store.saveState(serverState(3))
    expect(await store.loadState()).toEqual(serverState(3))
    expect((await stat(store.statePath)).mode & 0o777).toBe(0o600)
    await store.saveState(clientState(4))
    expect(await store.loadState()).toEqual(clientState(4))
    await store.saveApplied({ revision: 4, epoch: 'epoch-b', at: '2026-01-01T00:00:00.000Z' })
    expect(await store.loadApplied()).toEqual({ revision: 4, epoch: 'epoch-b', at: '2026-01-01T00:00:00.000Z' })
    expect(await readdir(dir)).toEqual(['applied.json', 'state.json'])
  })

  test('a write that fails half-way leaves the previous state whole and no temp file', async () => {
    await new StateStore(dir).saveState(serverState(1))
    const before = await readFile(path.join(dir, 'state.json'), 'utf8')
    const store = new StateStore(dir, failingMidWrite())
    await expect(store.saveState(serverState(2))).rejects.toThrow(/ENOSPC/)
    expect(await readFile(path.join(dir, 'state.json'), 'utf8')).toBe(before)
    expect(await readdir(dir)).toEqual(['state.json'])
    expect(await store.loadState()).toEqual(serverState(1))
  })

  test('a temp file left by a crash is ignored and cleaned on open', async () => {
    await new StateStore(dir).saveState(serverState(5))
    await writeFile(path.join(dir, 'state.json.0badc0ffee00.tmp'), '{"mode":"serv')
    await writeFile(path.join(dir, 'applied.json.123456abcdef.tmp'), '')
    await writeFile(path.join(dir, 'recording.jsonl'), '')
    const store = new StateStore(dir)
    await store.open()
    expect(await store.loadState()).toEqual(serverState(5))
    expect((await readdir(dir)).sort()).toEqual(['recording.jsonl', 'state.json'])
  })

  test('an applied.json from before epochs loads with the empty epoch', async () => {
    const store = new StateStore(dir)
    await writeFile(store.appliedPath, '{"revision":7,"at":"2026-01-01T00:00:00.000Z"}\n')
    expect(await store.loadApplied()).toEqual({ revision: 7, epoch: '', at: '2026-01-01T00:00:00.000Z' })
  })

  test('a damaged state file is an error naming the file and the field', async () => {
    const store = new StateStore(dir)
    await writeFile(store.statePath, '{"mode":"server","revision":"seven"}')
    await expect(store.loadState()).rejects.toThrow(`${store.statePath}: field revision:`)
    await writeFile(store.statePath, '{"mode":')
    await expect(store.loadState()).rejects.toThrow(`${store.statePath} is not valid JSON`)
  })
})
