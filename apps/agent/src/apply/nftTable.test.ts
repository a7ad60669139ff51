import { expect, test } from 'vitest'
import { fakeRun } from '../testing/fakeRun.ts'
import { readNftCounters } from './nftTable.ts'

const ARGV = 'nft -j list counters table inet wirewarp'

test('reads the named counters, skipping metainfo', async () => {
  const f = fakeRun({
    [ARGV]: JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
        {
          counter: {
            family: 'inet',
            name: 'f_a1b2',
            table: 'wirewarp',
            handle: 4,
            comment: 'a1b2',
            packets: 12,
            bytes: 3400,
          },
        },
        { counter: { family: 'inet', name: 'other', table: 'wirewarp', handle: 5, packets: 0, bytes: 0 } },
      ],
    }),
  })
  expect(await readNftCounters(f.run)).toEqual([
    { name: 'f_a1b2', comment: 'a1b2', packets: 12, bytes: 3400 },
    { name: 'other', comment: null, packets: 0, bytes: 0 },
  ])
})

test('no table: no counters', async () => {
  const f = fakeRun({ [ARGV]: { fail: 'Error: No such file or directory\nlist counters table inet wirewarp' } })
  expect(await readNftCounters(f.run)).toEqual([])
})

test('output that cannot be read fails naming the command', async () => {
  for (const output of [
    '[]',
    '{"nftables":{}}',
    '{"nftables":[{"counter":{"name":"f_1","packets":"12","bytes":1}}]}',
    '{"nftables":[{"counter":{"packets":1,"bytes":1}}]}',
    '',
  ]) {
    const f = fakeRun({ [ARGV]: output })
    await expect(readNftCounters(f.run)).rejects.toThrow(new RegExp(`^cannot read the output of \`${ARGV}\`: `))
  }
})
