import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { loadAgentConfig } from './agentConfig.ts'
import { createLogger } from './logger.ts'
import { type RegisterOptions, registerAgent } from './registerAgent.ts'
import { type FakeHub, type FakeHubOptions, startFakeHub } from './testing/fakeHub.ts'

let dir: string
let hub: FakeHub | null
let out: string
let err: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-reg-'))
  hub = null
  out = ''
  err = ''
})
afterEach(async () => {
  await hub?.close()
  await rm(dir, { recursive: true, force: true })
})

async function register(opts: Partial<RegisterOptions> & { hub?: FakeHubOptions } = {}): Promise<number> {
  hub = await startFakeHub(opts.hub)
  return registerAgent({
    url: hub.url,
    token: 'wwr_token_123456',
    configPath: path.join(dir, 'agent.yaml'),
    stateDir: path.join(dir, 'state'),
    log: createLogger({ write: (l) => (err += l) }),
    print: (t) => (out += t),
    printError: (t) => (err += `${t}\n`),
    ...opts,
  })
}

test('a server that accepts but never answers times out', async () => {
  expect(await register({ timeoutMs: 200, hub: { onMessage: () => {} } })).toBe(1)
  expect(err).toBe('register: the server did not answer the registration within 0 s\n')
})

test('the linux driver registers and reports what the host can do', async () => {
  expect(await register({ driver: 'linux' })).toBe(0)
  expect(out).not.toMatch(/Note:/)
  const caps = (await hub!.waitFor('register')).facts.capabilities
  expect(caps).toMatchObject({ driver: 'linux', ipv6: expect.any(Boolean), iptables: expect.any(Boolean) })
  expect(['kernel', 'userspace', 'missing']).toContain(caps.wireguard)
})

test('registering again keeps the local settings of the existing config', async () => {
  const configPath = path.join(dir, 'agent.yaml')
  const keep = path.join(dir, 'kept-state')
  await writeFile(
    configPath,
    `serverUrl: http://old\nagentId: old\ncredential: oldcred\nmode: server\nstateDir: ${keep}\ndriver: recording\ninterface: wg7\nmetricsSeconds: 5\n`,
  )
  expect(await register({ stateDir: undefined })).toBe(0)
  const { config } = await loadAgentConfig(configPath)
  expect(config).toMatchObject({
    agentId: 'agent-1',
    stateDir: keep,
    driver: 'recording',
    interface: 'wg7',
    metricsSeconds: 5,
  })
  expect(await readFile(path.join(keep, 'private.key'), 'utf8')).toMatch(/=\n$/)
})
