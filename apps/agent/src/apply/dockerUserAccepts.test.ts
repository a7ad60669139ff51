import { expect, test } from 'vitest'
import { fakeRun } from '../testing/fakeRun.ts'
import { addDockerUserAccepts, removeDockerUserAccepts } from './dockerUserAccepts.ts'

const spec = (dir: string) => `DOCKER-USER ${dir} wg0 -m comment --comment wirewarp -j ACCEPT`

test('without a DOCKER-USER chain nothing is added', async () => {
  const f = fakeRun({ 'iptables -w 5 -S DOCKER-USER': { fail: 'iptables: No chain/target/match by that name.' } })
  expect(await addDockerUserAccepts(f.run, 'wg0')).toBe(false)
  expect(f.lines()).toEqual(['iptables -w 5 -S DOCKER-USER'])
})

test('accepts are inserted once: checked with -C first', async () => {
  const f = fakeRun({
    [`iptables -w 5 -C ${spec('-i')}`]: { fail: 'iptables: Bad rule (does a matching rule exist in that chain?).' },
  })
  expect(await addDockerUserAccepts(f.run, 'wg0')).toBe(true)
  expect(f.lines()).toEqual([
    'iptables -w 5 -S DOCKER-USER',
    `iptables -w 5 -C ${spec('-i')}`,
    `iptables -w 5 -I ${spec('-i')}`,
    `iptables -w 5 -C ${spec('-o')}`,
  ])
})

test('removal deletes every copy of ours', async () => {
  let copies = 2
  const missing = { fail: 'iptables: Bad rule (does a matching rule exist in that chain?).' }
  const f = fakeRun({
    [`iptables -w 5 -C ${spec('-i')}`]: () => (copies > 0 ? '' : missing),
    [`iptables -w 5 -D ${spec('-i')}`]: () => {
      copies--
      return ''
    },
    [`iptables -w 5 -C ${spec('-o')}`]: missing,
  })
  await removeDockerUserAccepts(f.run, 'wg0')
  expect(f.lines()).toEqual([
    'iptables -w 5 -S DOCKER-USER',
    `iptables -w 5 -C ${spec('-i')}`,
    `iptables -w 5 -D ${spec('-i')}`,
    `iptables -w 5 -C ${spec('-i')}`,
    `iptables -w 5 -D ${spec('-i')}`,
    `iptables -w 5 -C ${spec('-i')}`,
    `iptables -w 5 -C ${spec('-o')}`,
  ])
})

test('with IPv6, ip6tables gets the same accepts where it has a DOCKER-USER chain', async () => {
  const missing = { fail: 'iptables: Bad rule (does a matching rule exist in that chain?).' }
  const f = fakeRun({
    'iptables -w 5 -S DOCKER-USER': { fail: 'iptables: No chain/target/match by that name.' },
    [`ip6tables -w 5 -C ${spec('-i')}`]: missing,
    [`ip6tables -w 5 -C ${spec('-o')}`]: missing,
  })
  expect(await addDockerUserAccepts(f.run, 'wg0', [4, 6])).toBe(true)
  expect(f.lines()).toEqual([
    'iptables -w 5 -S DOCKER-USER',
    'ip6tables -w 5 -S DOCKER-USER',
    `ip6tables -w 5 -C ${spec('-i')}`,
    `ip6tables -w 5 -I ${spec('-i')}`,
    `ip6tables -w 5 -C ${spec('-o')}`,
    `ip6tables -w 5 -I ${spec('-o')}`,
  ])
})
