import { AgentMessage } from '@wirewarp/protocol'
import { expect, test, vi } from 'vitest'
import { parseHubFrame } from './hubFrame.ts'
import { serverState } from './testing/sampleStates.ts'

test('a valid frame parses', () => {
  const r = parseHubFrame(JSON.stringify({ type: 'desired_state', state: serverState(2) }))
  expect(r).toEqual({ ok: true, message: { type: 'desired_state', state: serverState(2) } })
})

test('garbage is a problem with no reply', () => {
  expect(parseHubFrame('{nope')).toEqual({ ok: false, problem: 'the frame is not JSON', reply: null })
  expect(parseHubFrame('{"type":"party"}')).toMatchObject({ ok: false, reply: null })
})

test('an unreadable state is answered with a failed apply of its revision', () => {
  const bad = { ...serverState(7), forwards: [{ id: 'x' }] }
  const r = parseHubFrame(JSON.stringify({ type: 'desired_state', state: bad }))
  expect(r.ok).toBe(false)
  if (r.ok) return
  expect(r.reply).toMatchObject({ type: 'applied', revision: 7, ok: false, durationMs: 0 })
  expect(r.reply && 'error' in r.reply ? r.reply.error : '').toMatch(/state\.forwards\.0/)
  expect(AgentMessage.safeParse(r.reply).success).toBe(true)
})

test('an unknown command is answered with a failure for its id', () => {
  const r = parseHubFrame(
    JSON.stringify({ type: 'command', id: 'c1', command: 'selfdestruct', params: {}, timeoutMs: 1000 }),
  )
  expect(r).toMatchObject({ ok: false, reply: { type: 'command_result', id: 'c1', ok: false } })
})

test('a frame nested deeper than the protocol allows is refused before it is parsed', () => {
  const parse = vi.spyOn(JSON, 'parse')
  try {
    const deep = `{"type":"command","id":"c1","command":"ping","timeoutMs":1000,"params":{"a":${'['.repeat(50)}${']'.repeat(50)}}}`
    const r = parseHubFrame(deep)
    expect(r).toEqual({ ok: false, problem: expect.stringMatching(/nested deeper than 16 levels/), reply: null })
    expect(parse).not.toHaveBeenCalled()
    // Far deeper than any stack: still just refused.
    expect(parseHubFrame('['.repeat(1_000_000)).ok).toBe(false)
  } finally {
    parse.mockRestore()
  }
})

test('a reply about an unreadable state names its epoch and carries only clean text', () => {
  const bad = { ...serverState(7, 'epoch-q'), 'x\u001b[0m': 1, forwards: [{ id: 'x\u0000' }] }
  const r = parseHubFrame(JSON.stringify({ type: 'desired_state', state: bad }))
  expect(r.ok).toBe(false)
  if (r.ok) return
  expect(r.reply).toMatchObject({ type: 'applied', revision: 7, epoch: 'epoch-q', ok: false })
  expect(AgentMessage.safeParse(r.reply).success).toBe(true)
})
