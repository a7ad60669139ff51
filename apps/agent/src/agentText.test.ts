import { AgentText } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { agentText, errorText } from './agentText.ts'

test('terminal escapes go, their text stays', () => {
  expect(agentText('\u001b[1;31mError:\u001b[0m bad\u001b]0;title\u0007 rule\u001b(B')).toBe('Error: bad rule')
  expect(agentText('\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\')).toBe('link')
})

test('CR line ends become newlines; other control characters go; tab and newline stay', () => {
  expect(agentText('a\r\nb\rc\u0000d\u0007e\u007ff\tg\nh\u001b')).toBe('a\nb\ncdef\tg\nh')
})

test('long texts are cut to 8000 characters, never inside a surrogate pair', () => {
  const cut = agentText('x'.repeat(7992) + '😀'.repeat(10))
  expect(cut.length).toBeLessThanOrEqual(8000)
  expect(cut).toMatch(/x… \(cut\)$/)
  expect(AgentText.safeParse(cut).success).toBe(true)
})

test('whatever is thrown becomes AgentText', () => {
  for (const thrown of [new Error('nft:\u0000 \u001b[31mfail\r\n'), 'str\u0001', 42, null])
    expect(AgentText.safeParse(errorText(thrown)).success).toBe(true)
  expect(errorText(new Error('nft:\u0000 \u001b[31mfail\r\n'))).toBe('nft: fail\n')
})
