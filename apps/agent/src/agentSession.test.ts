import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { AgentMessage, type DesiredState } from '@wirewarp/protocol'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { AgentSession } from './agentSession.ts'
import type { Driver } from './drivers/driver.ts'
import { createLogger } from './logger.ts'
import { StateStore } from './stateStore.ts'
import { clientState, SAMPLE_EPOCH, serverState } from './testing/sampleStates.ts'
import { TeardownFailed, UninstallIncomplete } from './uninstallAgent.ts'

let dir: string
let store: StateStore
let events: string[]
let sent: AgentMessage[]
let logLines: string[]
let restarts: number

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-session-'))
  store = new StateStore(dir)
  await store.open()
  events = []
  sent = []
  logLines = []
  restarts = 0
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A driver that notes what was on disk when it was asked to apply. */
function fakeDriver(opts: { fail?: (s: DesiredState) => string | null; delayMs?: number } = {}): Driver {
  return {
    name: 'recording',
    capabilities: async () => ({ driver: 'fake' }),
    apply: async (state) => {
      const onDisk = await store.loadState()
      events.push(`apply ${state.revision} (on disk: ${onDisk?.revision ?? 'none'})`)
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs))
      const failure = opts.fail?.(state)
      if (failure) throw new Error(failure)
      events.push(`applied ${state.revision}`)
    },
    diagnostics: async () => ({ driver: 'fake', note: 'hi' }),
  }
}

function session(driver: Driver, mode: 'server' | 'client' = 'server'): AgentSession {
  return new AgentSession({
    driver,
    store,
    mode,
    send: (m) => {
      // Everything the session sends must be a valid protocol message.
      expect(AgentMessage.safeParse(m).success).toBe(true)
      sent.push(m)
      events.push(`send ${m.type}`)
    },
    log: createLogger({ write: (l) => logLines.push(l) }),
    onRestart: () => {
      restarts++
      events.push('restart')
    },
    now: () => new Date('2026-03-01T12:00:00.000Z'),
  })
}

describe('desired state', () => {
  test('is persisted before the driver applies it, then acknowledged', async () => {
    const s = session(fakeDriver())
    await s.receiveState(serverState(4))
    expect(events).toEqual(['apply 4 (on disk: 4)', 'applied 4', 'send applied'])
    expect(sent).toEqual([
      { type: 'applied', revision: 4, epoch: SAMPLE_EPOCH, ok: true, durationMs: expect.any(Number) },
    ])
    expect(s.appliedRevision).toBe(4)
    expect(s.appliedEpoch).toBe(SAMPLE_EPOCH)
    expect(await store.loadApplied()).toEqual({ revision: 4, epoch: SAMPLE_EPOCH, at: '2026-03-01T12:00:00.000Z' })
    expect(logLines.join('')).toMatch(/info applied revision 4 in \d+ ms/)
  })

  test("the driver settles after the ack, not before: the server does not wait for the drift check's baseline", async () => {
    const driver = {
      ...fakeDriver({ fail: (st) => (st.revision === 5 ? 'no' : null) }),
      settle: async () => {
        events.push('settle')
      },
    }
    const s = session(driver)
    await s.receiveState(serverState(4))
    expect(events).toEqual(['apply 4 (on disk: 4)', 'applied 4', 'send applied', 'settle'])
    // A failed apply has nothing to settle.
    events.length = 0
    await s.receiveState(serverState(5))
    expect(events).toEqual(['apply 5 (on disk: 5)', 'send applied'])
  })

  test('a failed apply is acknowledged with its revision and error, and the applied revision stays', async () => {
    const s = session(fakeDriver({ fail: (st) => (st.revision === 6 ? 'nft: syntax error in line 3' : null) }))
    await s.receiveState(serverState(5))
    await s.receiveState(serverState(6))
    expect(sent[1]).toEqual({
      type: 'applied',
      revision: 6,
      epoch: SAMPLE_EPOCH,
      ok: false,
      error: 'nft: syntax error in line 3',
      durationMs: expect.any(Number),
    })
    expect(s.appliedRevision).toBe(5)
    expect((await store.loadApplied())?.revision).toBe(5)
    // Still saved, so the next start retries it.
    expect((await store.loadState())?.revision).toBe(6)
    expect(logLines.join('')).toMatch(/error apply of revision 6 failed: nft: syntax error/)
  })

  test('the same revision is applied again, not skipped', async () => {
    const s = session(fakeDriver())
    await s.receiveState(serverState(3))
    await s.receiveState(serverState(3))
    expect(events.filter((e) => e.startsWith('applied'))).toEqual(['applied 3', 'applied 3'])
    expect(sent.map((m) => m.type)).toEqual(['applied', 'applied'])
  })

  test('a lower revision of the same epoch is refused: not saved, not applied, not acknowledged', async () => {
    const s = session(fakeDriver())
    await s.receiveState(serverState(5))
    await s.receiveState(serverState(4))
    expect(events).toEqual(['apply 5 (on disk: 5)', 'applied 5', 'send applied'])
    expect(sent).toEqual([
      { type: 'applied', revision: 5, epoch: SAMPLE_EPOCH, ok: true, durationMs: expect.any(Number) },
    ])
    expect(s.appliedRevision).toBe(5)
    // The next start must not apply the stale state from disk either.
    expect((await store.loadState())?.revision).toBe(5)
    expect(logLines.filter((l) => /revision 4/.test(l))).toEqual([
      expect.stringMatching(/info ignored revision 4 of epoch epoch-a: revision 5 of that epoch is applied already\n$/),
    ])
  })

  test('a state of another epoch is applied whatever its revision, and its epoch becomes the applied one', async () => {
    const s = session(fakeDriver())
    await s.receiveState(serverState(5, 'epoch-a'))
    await s.receiveState(serverState(4, 'epoch-b'))
    expect(events.filter((e) => e.startsWith('applied'))).toEqual(['applied 5', 'applied 4'])
    expect(sent[1]).toEqual({
      type: 'applied',
      revision: 4,
      epoch: 'epoch-b',
      ok: true,
      durationMs: expect.any(Number),
    })
    expect([s.appliedRevision, s.appliedEpoch]).toEqual([4, 'epoch-b'])
    expect(await store.loadApplied()).toEqual({ revision: 4, epoch: 'epoch-b', at: '2026-03-01T12:00:00.000Z' })
    // Within the new epoch, revisions grow again.
    await s.receiveState(serverState(3, 'epoch-b'))
    expect(s.appliedRevision).toBe(4)
    expect(sent).toHaveLength(2)
  })

  test('a lower revision after a failed apply of a higher one is applied: only successes count', async () => {
    const s = session(fakeDriver({ fail: (st) => (st.revision === 6 ? 'boom' : null) }))
    await s.receiveState(serverState(3))
    await s.receiveState(serverState(6))
    await s.receiveState(serverState(5))
    expect(events.filter((e) => e.startsWith('applied'))).toEqual(['applied 3', 'applied 5'])
    expect(sent.map((m) => m.type === 'applied' && [m.revision, m.ok])).toEqual([
      [3, true],
      [6, false],
      [5, true],
    ])
  })

  test('states that arrive while one applies are coalesced: only the newest is applied next', async () => {
    const s = session(fakeDriver({ delayMs: 30 }))
    const first = s.receiveState(serverState(1))
    for (const r of [2, 3, 4, 5, 6]) void s.receiveState(serverState(r))
    await first
    await s.idle()
    expect(events).toEqual([
      'apply 1 (on disk: 1)',
      'applied 1',
      'send applied',
      'apply 6 (on disk: 6)',
      'applied 6',
      'send applied',
    ])
    expect(sent.map((m) => m.type === 'applied' && m.revision)).toEqual([1, 6])
  })

  test('a stale state arriving while one waits does not displace the newer waiting one', async () => {
    const s = session(fakeDriver({ delayMs: 30 }))
    void s.receiveState(serverState(1))
    void s.receiveState(serverState(7))
    void s.receiveState(serverState(3))
    await s.idle()
    expect(events.filter((e) => e.startsWith('applied'))).toEqual(['applied 1', 'applied 7'])
  })

  test('a waiting state of another epoch is replaced by a later one of any revision', async () => {
    const s = session(fakeDriver({ delayMs: 30 }))
    void s.receiveState(serverState(9, 'epoch-a'))
    void s.receiveState(serverState(10, 'epoch-a'))
    void s.receiveState(serverState(2, 'epoch-b'))
    await s.idle()
    expect(events.filter((e) => e.startsWith('applied'))).toEqual(['applied 9', 'applied 2'])
    expect(s.appliedEpoch).toBe('epoch-b')
  })

  test('error texts sent to the hub are cleaned of escapes and control characters', async () => {
    const raw = '\u001b[31mError:\u001b[0m syntax error\r\nin line 3\u0000\u0007\tnear "}"\rdone'
    const s = session(fakeDriver({ fail: () => raw }))
    await s.receiveState(serverState(2))
    expect(sent[0]).toMatchObject({ ok: false, error: 'Error: syntax error\nin line 3\tnear "}"\ndone' })
    const slow = fakeDriver()
    slow.diagnostics = async () => {
      throw new Error(`${'x'.repeat(9000)}\u0000`)
    }
    await session(slow).runCommand({ type: 'command', id: 'd', command: 'diagnostics', params: {}, timeoutMs: 1000 })
    const result = sent[1]
    expect(result?.type === 'command_result' && result.error?.length).toBeLessThanOrEqual(8000)
  })

  test('a state that cannot be saved is not applied', async () => {
    await rm(dir, { recursive: true })
    await writeFile(dir, 'a file where the directory was')
    const s = session(fakeDriver())
    await s.receiveState(serverState(2))
    expect(events).toEqual(['send applied'])
    expect(sent[0]).toMatchObject({ revision: 2, ok: false, error: expect.stringMatching(/could not save the state/) })
    await rm(dir)
  })

  test('a state for the other mode is refused', async () => {
    const s = session(fakeDriver(), 'server')
    await s.receiveState(clientState(2))
    expect(events).toEqual(['send applied'])
    expect(sent[0]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/server mode but the state is for a client/),
    })
  })
})

describe('saved state (offline start)', () => {
  test('is applied without sending anything', async () => {
    await store.saveState(serverState(9))
    const s = session(fakeDriver())
    await s.loadApplied()
    expect(s.appliedRevision).toBe(0)
    await s.applySavedState()
    expect(events).toEqual(['apply 9 (on disk: 9)', 'applied 9'])
    expect(sent).toEqual([])
    expect(s.appliedRevision).toBe(9)
    expect(logLines.join('')).toMatch(/applied revision 9 \(saved state, before connecting\)/)
  })

  test('the applied revision and epoch of an earlier run are loaded', async () => {
    await store.saveApplied({ revision: 12, epoch: 'epoch-z', at: 'x' })
    const s = session(fakeDriver())
    await s.loadApplied()
    expect([s.appliedRevision, s.appliedEpoch]).toEqual([12, 'epoch-z'])
    // and rule what is applied next
    await s.receiveState(serverState(11, 'epoch-z'))
    expect(events).toEqual([])
  })

  test('a saved state older than the applied revision of its epoch is not applied', async () => {
    await store.saveApplied({ revision: 12, epoch: SAMPLE_EPOCH, at: 'x' })
    await store.saveState(serverState(9))
    const s = session(fakeDriver())
    await s.loadApplied()
    await s.applySavedState()
    expect(events).toEqual([])
  })

  test('nothing saved: nothing applied', async () => {
    const s = session(fakeDriver())
    await s.applySavedState()
    expect(events).toEqual([])
  })

  test('a damaged state file is reported and skipped', async () => {
    await writeFile(store.statePath, '{"mode":"server"}')
    const s = session(fakeDriver())
    await s.applySavedState()
    expect(events).toEqual([])
    expect(logLines.join('')).toMatch(/state\.json: field revision:.*not applying it/)
  })
})

describe('commands', () => {
  const cmd = (command: 'ping' | 'diagnostics' | 'restart', timeoutMs = 5000) =>
    ({ type: 'command', id: `id-${command}`, command, params: {}, timeoutMs }) as const

  test('the commands the agent runs, as hello announces them', () => {
    expect(session(fakeDriver()).commands).toEqual(['ping', 'diagnostics', 'restart'])
  })

  test('ping answers pong with the time', async () => {
    await session(fakeDriver()).runCommand(cmd('ping'))
    expect(sent).toEqual([
      { type: 'command_result', id: 'id-ping', ok: true, result: { pong: true, at: '2026-03-01T12:00:00.000Z' } },
    ])
  })

  test('diagnostics carries the driver view and the applied revision', async () => {
    const s = session(fakeDriver())
    await s.receiveState(serverState(2))
    await s.runCommand(cmd('diagnostics'))
    expect(sent[1]).toMatchObject({
      type: 'command_result',
      ok: true,
      result: {
        driver: 'fake',
        note: 'hi',
        appliedRevision: 2,
        appliedEpoch: SAMPLE_EPOCH,
        lastApply: { revision: 2, epoch: SAMPLE_EPOCH, ok: true },
      },
    })
  })

  test('restart replies first, then restarts', async () => {
    await session(fakeDriver()).runCommand(cmd('restart'))
    expect(events).toEqual(['send command_result', 'restart'])
    expect(sent[0]).toMatchObject({ ok: true, result: { restarting: true } })
  })

  test('a command that takes too long fails with a timeout', async () => {
    const slow = fakeDriver()
    slow.diagnostics = () => new Promise(() => {})
    await session(slow).runCommand(cmd('diagnostics', 30))
    expect(sent).toEqual([{ type: 'command_result', id: 'id-diagnostics', ok: false, error: 'timed out after 30 ms' }])
    expect(restarts).toBe(0)
  })
})

describe('uninstall', () => {
  const uninstallCmd = { type: 'command', id: 'id-u', command: 'uninstall', params: {}, timeoutMs: 5000 } as const

  function uninstalling(remove: () => Promise<unknown>) {
    let left = 0
    const s = new AgentSession({
      driver: fakeDriver(),
      store,
      mode: 'server',
      send: (m) => {
        expect(AgentMessage.safeParse(m).success).toBe(true)
        sent.push(m)
        events.push(`send ${m.type}`)
      },
      log: createLogger({ write: (l) => logLines.push(l) }),
      onRestart: () => {},
      uninstall: remove,
      onUninstalled: () => {
        left++
        events.push('leave')
      },
    })
    return { s, left: () => left }
  }

  test('is announced only by an agent that can remove itself', () => {
    expect(uninstalling(async () => ({})).s.commands).toEqual(['ping', 'diagnostics', 'restart', 'uninstall'])
  })

  test('reports what was removed, then leaves; states that arrive meanwhile are not applied', async () => {
    let u: ReturnType<typeof uninstalling>
    u = uninstalling(async () => {
      events.push('remove')
      await u.s.receiveState(serverState(7))
      return { removed: ['/usr/local/lib/wirewarp'] }
    })
    await u.s.runCommand(uninstallCmd)
    expect(events).toEqual(['remove', 'send command_result', 'leave'])
    expect(sent).toEqual([
      { type: 'command_result', id: 'id-u', ok: true, result: { removed: ['/usr/local/lib/wirewarp'] } },
    ])
    expect(logLines.join('\n')).toMatch(/ignored revision 7: the agent is uninstalling/)
  })

  test('a failed teardown is reported, the saved state applied again, and the agent stays', async () => {
    await store.saveState(serverState(3))
    const u = uninstalling(async () => {
      throw new TeardownFailed('The teardown failed, so nothing was removed and the agent keeps running: nft')
    })
    await u.s.runCommand(uninstallCmd)
    expect(u.left()).toBe(0)
    expect(sent[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^The teardown failed/) })
    expect(events).toContain('applied 3')
  })

  test('a removal that left files behind fails with the report, and the agent still leaves', async () => {
    const report = {
      teardown: 't',
      service: { manager: 'none' as const, done: [] },
      removed: [],
      ignored: [],
      failed: [{ path: '/etc/wirewarp', error: 'EBUSY' }],
    }
    const u = uninstalling(async () => {
      throw new UninstallIncomplete(report)
    })
    await u.s.runCommand(uninstallCmd)
    expect(sent[0]).toMatchObject({ ok: false, result: report, error: expect.stringMatching(/could not remove/) })
    expect(u.left()).toBe(1)
  })
})

describe('update', () => {
  const updateCmd = (id: string) =>
    ({ type: 'command', id, command: 'update', params: { version: '0.2.0' }, timeoutMs: 5 }) as const

  function updating(install: (params: Record<string, unknown>) => Promise<unknown>) {
    const s = new AgentSession({
      driver: fakeDriver(),
      store,
      mode: 'server',
      send: (m) => {
        expect(AgentMessage.safeParse(m).success).toBe(true)
        sent.push(m)
        events.push(`send ${m.type}`)
      },
      log: createLogger({ write: (l) => logLines.push(l) }),
      onRestart: () => {},
      update: install,
      onUpdated: () => events.push('updated'),
      onAppliedOk: () => events.push('applied ok'),
    })
    return s
  }

  test('is announced when given; replies first, then exits for the launcher; not cut short by the timeout', async () => {
    const s = updating(async (p) => {
      await new Promise((r) => setTimeout(r, 30))
      return { from: '0.1.0', to: p.version, state: 'restarting' }
    })
    expect(s.commands).toContain('update')
    await s.runCommand(updateCmd('u1'))
    expect(events).toEqual(['send command_result', 'updated'])
    expect(sent[0]).toEqual({
      type: 'command_result',
      id: 'u1',
      ok: true,
      result: { from: '0.1.0', to: '0.2.0', state: 'restarting' },
    })
    // Once installed, a second update is refused.
    await s.runCommand(updateCmd('u2'))
    expect(sent[1]).toMatchObject({ ok: false, error: 'an update is in progress already' })
  })

  test('a refused update is reported and the agent stays', async () => {
    const s = updating(async () => {
      throw new Error('the download does not match the release manifest (expected 1 bytes, got 2); nothing was changed')
    })
    await s.runCommand(updateCmd('u1'))
    expect(events).toEqual(['send command_result'])
    expect(sent[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^the download does not match/) })
  })

  test('a state from the server applied successfully is signalled (the confirmation of an update)', async () => {
    const s = updating(async () => ({}))
    await s.applySavedState()
    await s.receiveState(serverState(2))
    expect(events).toEqual(['apply 2 (on disk: 2)', 'applied 2', 'send applied', 'applied ok'])
  })
})
