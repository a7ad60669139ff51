import { expect, test } from 'vitest'
import { CommandFailed, createRunner, run } from './run.ts'

test('argv is passed as is, stdin is written, output returned, LC_ALL=C', async () => {
  expect(await run(['sh', '-c', 'cat; printf " %s|%s" "$1" "$LC_ALL"', 'sh', 'a b;$(x)'], { stdin: 'in' })).toBe(
    'in a b;$(x)|C',
  )
})

test('a failure names the argv, the exit code and stderr', async () => {
  const err = await run(['sh', '-c', 'echo oops >&2; exit 3']).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(CommandFailed)
  expect((err as CommandFailed).message).toBe('`sh -c echo oops >&2; exit 3` failed: exit code 3: oops')
  expect(err).toMatchObject({ exitCode: 3, stderr: 'oops\n', reason: 'exit' })
})

test('a missing program is an error, not empty output', async () => {
  await expect(run(['wirewarp-no-such-tool'])).rejects.toThrow(
    '`wirewarp-no-such-tool` failed: wirewarp-no-such-tool is not installed (or not on PATH)',
  )
})

test('a command that outlasts the timeout is killed', async () => {
  const err = await run(['sleep', '5'], { timeoutMs: 100 }).catch((e: unknown) => e)
  expect(err).toMatchObject({ reason: 'ETIMEDOUT' })
  expect((err as Error).message).toBe('`sleep 5` failed: timed out')
})

test('env entries can be removed; a prefix runs first but stays out of messages', async () => {
  process.env.WIREWARP_RUN_TEST = 'x'
  try {
    expect(await run(['sh', '-c', 'echo "[$WIREWARP_RUN_TEST]"'], { env: { WIREWARP_RUN_TEST: undefined } })).toBe(
      '[]\n',
    )
  } finally {
    delete process.env.WIREWARP_RUN_TEST
  }
  const prefixed = createRunner({ prefix: ['env', 'WW_PREFIX=1'] })
  expect(await prefixed(['sh', '-c', 'echo $WW_PREFIX'])).toBe('1\n')
  await expect(prefixed(['false'])).rejects.toThrow('`false` failed: exit code 1')
})
