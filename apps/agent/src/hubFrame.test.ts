import { AgentMessage } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
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
