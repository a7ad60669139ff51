import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { type AgentConfig, ConfigError, loadAgentConfig, saveAgentConfig } from './agentConfig.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-config-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const config: AgentConfig = {
  serverUrl: 'https://wirewarp.example.com',
  agentId: 'c0ffee00-0000-4000-8000-000000000001',
  credential: 'wwa_secret',
  mode: 'server',
  stateDir: '/var/lib/wirewarp',
  driver: 'recording',
  interface: 'wg0',
  metricsSeconds: 30,
}

async function loadError(yaml: string): Promise<ConfigError> {
  const file = path.join(dir, 'agent.yaml')
  await writeFile(file, yaml)
  const err = await loadAgentConfig(file).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConfigError)
  return err as ConfigError
}

describe('agent config', () => {
  test('saves with mode 0600 in a new 0700 directory, and loads back', async () => {
    const file = path.join(dir, 'etc', 'wirewarp', 'agent.yaml')
    await saveAgentConfig(file, config)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700)
    expect(await loadAgentConfig(file)).toEqual({ config, warnings: [] })
    expect(await readFile(file, 'utf8')).toMatch(/^# wirewarp-agent configuration/)
  })

  test('saving over an existing, wider file leaves it 0600', async () => {
    const file = path.join(dir, 'agent.yaml')
    await writeFile(file, 'old', { mode: 0o644 })
    await saveAgentConfig(file, config)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  test('optional keys take their defaults; a relative stateDir is relative to the file', async () => {
    const file = path.join(dir, 'agent.yaml')
    await writeFile(file, 'serverUrl: http://localhost:8080\nagentId: a1\ncredential: c\nmode: client\n')
    const { config: c } = await loadAgentConfig(file)
    expect(c).toMatchObject({ stateDir: '/var/lib/wirewarp', driver: 'linux', interface: 'wg0', metricsSeconds: 30 })
    await writeFile(file, 'serverUrl: http://localhost:8080\nagentId: a1\ncredential: c\nmode: client\nstateDir: st\n')
    expect((await loadAgentConfig(file)).config.stateDir).toBe(path.join(dir, 'st'))
  })

  test('a missing file says so and how to create it', async () => {
    const file = path.join(dir, 'nope.yaml')
    await expect(loadAgentConfig(file)).rejects.toThrow(`cannot read the config file ${file}`)
    await expect(loadAgentConfig(file)).rejects.toThrow(/wirewarp-agent register/)
  })

  test('bad YAML names the file and the line', async () => {
    const err = await loadError('serverUrl: [unclosed\nagentId: x\n')
    expect(err.message).toContain(`${path.join(dir, 'agent.yaml')} is not valid YAML`)
    expect(err.message).toMatch(/line/)
  })

  test('an empty file is refused', async () => {
    expect((await loadError('')).message).toMatch(/empty/)
  })

  test('a missing key is named', async () => {
    const err = await loadError('serverUrl: http://localhost:8080\nagentId: a1\nmode: client\n')
    expect(err.key).toBe('credential')
    expect(err.message).toBe(`${path.join(dir, 'agent.yaml')}: key credential is missing`)
  })

  test('a wrong value is named with what it must be', async () => {
    const base = 'serverUrl: http://localhost:8080\nagentId: a1\ncredential: c\n'
    expect((await loadError(`${base}mode: both\n`)).message).toMatch(/key mode must be server or client$/)
    expect((await loadError(`${base}mode: client\ndriver: bsd\n`)).message).toMatch(
      /key driver must be linux or recording/,
    )
    expect((await loadError(`${base}mode: client\nmetricsSeconds: 0\n`)).message).toMatch(
      /key metricsSeconds must be at least 1/,
    )
    expect((await loadError(`${base}mode: client\ninterface: "wg 0"\n`)).key).toBe('interface')
    const url = await loadError('serverUrl: ftp://x\nagentId: a1\ncredential: c\nmode: client\n')
    expect(url.message).toMatch(/key serverUrl must be an http:\/\/ or https:\/\/ URL/)
  })

  test('an unknown key is a warning, not an error', async () => {
    const file = path.join(dir, 'agent.yaml')
    await writeFile(
      file,
      'serverUrl: http://localhost:8080\nagentId: a1\ncredential: c\nmode: client\nmetricSeconds: 5\n',
    )
    expect((await loadAgentConfig(file)).warnings).toEqual([`${file}: unknown key metricSeconds is ignored`])
  })
})
