/** The session's drift checks: when they run, how they take turns with applies, what is reported. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { AgentMessage, DRIFT_LIMITS } from '@wirewarp/protocol'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { AgentSession } from './agentSession.ts'
import type { DriftResult, Driver } from './drivers/driver.ts'
import { RecordingDriver } from './drivers/recordingDriver.ts'
import { createLogger } from './logger.ts'
import { StateStore } from './stateStore.ts'
import { serverState } from './testing/sampleStates.ts'

let dir: string
let store: StateStore
let events: string[]
let sent: AgentMessage[]
let logLines: string[]

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-drift-'))
  store = new StateStore(dir)
  await store.open()
  events = []
  sent = []
  logLines = []
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const AT = '2026-03-01T12:00:00.000Z'

/** A driver whose check returns `found` (noting when it ran); applies take `applyMs`. */
function driftingDriver(found: () => DriftResult, opts: { applyMs?: number; failApply?: boolean } = {}): Driver {
  return {
    name: 'linux',
    capabilities: async () => ({ driver: 'fake' }),
    apply: async (state) => {
      events.push(`apply ${state.revision}`)
      if (opts.applyMs) await new Promise((r) => setTimeout(r, opts.applyMs))
      if (opts.failApply) throw new Error('nft: syntax error')
      events.push(`applied ${state.revision}`)
    },
    diagnostics: async () => ({}),
    checkDrift: async () => {
      events.push('check')
      return found()
    },
  }
}

function session(driver: Driver, hubHas = true): AgentSession {
  return new AgentSession({
    driver,
    store,
    mode: 'server',
    send: (m) => {
      expect(AgentMessage.safeParse(m).success).toBe(true)
      sent.push(m)
    },
    log: createLogger({ write: (l) => logLines.push(l) }),
    onRestart: () => {},
    now: () => new Date(AT),
    hubHas: (f) => hubHas && f === 'drift_repaired',
  })
}

const repaired: DriftResult = {
  items: [
    { what: 'nftables', detail: 'table inet wirewarp missing' },
    { what: 'wireguard', detail: '1 peer missing' },
  ],
}

test('a repair is logged, reported to a hub that takes it, and is the answer to check_drift', async () => {
  const s = session(driftingDriver(() => repaired))
  expect(s.commands).toContain('check_drift')
  await s.receiveState(serverState(3))
  sent.length = 0
  await s.runCommand({ type: 'command', id: 'c1', command: 'check_drift', params: {}, timeoutMs: 5000 })
  expect(sent).toEqual([
    { type: 'drift_repaired', at: AT, ok: true, items: repaired.items },
    {
      type: 'command_result',
      id: 'c1',
      ok: true,
      result: { at: AT, ok: true, items: repaired.items, checked: true },
    },
  ])
  expect(logLines.join('')).toMatch(
    /warn repaired drift: nftables: table inet wirewarp missing; wireguard: 1 peer missing/,
  )
})

test('nothing found: nothing is sent but the answer; a hub without the feature is sent no report', async () => {
  let found: DriftResult = { items: [] }
  const s = session(driftingDriver(() => found))
  await s.receiveState(serverState(3))
  sent.length = 0
  expect(await s.checkDrift()).toEqual({ at: AT, ok: true, items: [], checked: true })
  expect(sent).toEqual([])

  const old = session(
    driftingDriver(() => found),
    false,
  )
  await old.receiveState(serverState(3))
  sent.length = 0
  found = repaired
  expect((await old.checkDrift()).items).toEqual(repaired.items)
  expect(sent).toEqual([])
})

test('a failed repair is reported with ok false, its error and what was found', async () => {
  const s = session(
    driftingDriver(() => ({ items: [repaired.items[0]!], error: '`nft -f -` failed: exit code 1: no memory' })),
  )
  await s.receiveState(serverState(3))
  sent.length = 0
  await s.checkDrift()
  expect(sent).toEqual([
    {
      type: 'drift_repaired',
      at: AT,
      ok: false,
      items: [repaired.items[0]],
      error: '`nft -f -` failed: exit code 1: no memory',
    },
  ])
  expect(logLines.join('')).toMatch(/error drift repair failed: `nft -f -` failed/)
})

test('no check before a successful apply, after a failed one, or while uninstalling', async () => {
  const s = session(driftingDriver(() => repaired))
  expect(await s.checkDrift()).toEqual({
    at: AT,
    ok: true,
    items: [],
    checked: false,
    reason: 'no state was applied since the agent started',
  })
  const failing = session(driftingDriver(() => repaired, { failApply: true }))
  await failing.receiveState(serverState(4))
  expect((await failing.checkDrift()).reason).toBe('the last apply (revision 4) failed')
  expect(events.filter((e) => e === 'check')).toEqual([])
  expect(sent.filter((m) => m.type === 'drift_repaired')).toEqual([])
})

test('a check waits for the apply in progress, and an apply for the check', async () => {
  const s = session(driftingDriver(() => ({ items: [] }), { applyMs: 50 }))
  await s.receiveState(serverState(1))
  events.length = 0
  const applying = s.receiveState(serverState(2))
  const checking = s.checkDrift()
  const next = s.receiveState(serverState(3))
  await Promise.all([applying, checking, next])
  expect(events).toEqual(['apply 2', 'applied 2', 'check', 'apply 3', 'applied 3'])
})

test('reports are cut to the protocol bounds', async () => {
  const many = Array.from({ length: 40 }, (_, i) => ({ what: 'routes', detail: `${i} ${'x'.repeat(300)}` }))
  const s = session(driftingDriver(() => ({ items: many, error: 'e'.repeat(5000) })))
  await s.receiveState(serverState(1))
  const r = await s.checkDrift()
  expect(r.items).toHaveLength(DRIFT_LIMITS.maxItems)
  expect(r.items.at(-1)).toEqual({ what: 'more', detail: '9 more items' })
  expect(Math.max(...r.items.map((i) => i.detail.length))).toBe(DRIFT_LIMITS.maxText)
  expect(r.error).toHaveLength(DRIFT_LIMITS.maxError)
  // The session's send checks that the report is a valid message.
  expect(sent.filter((m) => m.type === 'drift_repaired')).toHaveLength(1)
})

test('the recording driver has nothing to repair', async () => {
  const driver = new RecordingDriver(dir, () => new Date(AT))
  expect(await driver.checkDrift()).toEqual({ items: [] })
  const s = session(driver)
  await s.receiveState(serverState(1))
  sent.length = 0
  expect(await s.checkDrift()).toEqual({ at: AT, ok: true, items: [], checked: true })
  expect(sent).toEqual([])
})
