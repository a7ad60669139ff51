/**
 * The uninstall command with the real agent process: installed in the install script's layout
 * under a temporary prefix (WIREWARP_PREFIX, so no root is needed and no service command runs),
 * it reports what it removed, exits 3, leaves no file of its own, and the API shows it uninstalled.
 * The recording driver stands in for the Linux data plane, so there is nothing to tear down.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Agent, CommandLogEntry, RegistrationTokenCreated } from '@wirewarp/protocol'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Client, signIn, skipDb, startTestServer, type TestServer } from '../../apps/server/test/harness.ts'
import { AGENT_BIN, agentCli, RunningAgent, skipAgent } from './agentProcess.ts'

const skip = (await skipDb()) || skipAgent()

describe.skipIf(skip)('uninstall from the dashboard, with a real agent process', () => {
  let t: TestServer
  let admin: Client
  let dir: string

  beforeAll(async () => {
    t = await startTestServer()
    admin = await signIn(t)
    dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-uninstall-'))
  })
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true })
    await t?.close()
  })

  test('reports, exits 3, removes its files (not what a hostile list names) and shows uninstalled', async () => {
    const root = path.join(dir, 'root')
    const lib = `${root}/usr/local/lib/wirewarp`
    const config = `${root}/etc/wirewarp/agent.yaml`
    const state = `${root}/var/lib/wirewarp`
    const unit = `${root}/etc/systemd/system/wirewarp-agent.service`
    mkdirSync(lib, { recursive: true })
    mkdirSync(`${root}/usr/local/bin`, { recursive: true })
    mkdirSync(path.dirname(unit), { recursive: true })
    writeFileSync(`${lib}/wirewarp-agent.mjs`, readFileSync(AGENT_BIN))
    symlinkSync(`${lib}/wirewarp-agent.mjs`, `${root}/usr/local/bin/wirewarp-agent`)
    writeFileSync(unit, '[Service]\nRestartPreventExitStatus=3\n')
    writeFileSync(`${root}/etc/systemd/system/sshd.service`, 'keep')
    writeFileSync(`${dir}/precious`, 'keep')
    writeFileSync(`${lib}/installed`, [`${dir}/precious`, `${root}/etc/systemd/system/sshd.service`, unit].join('\n'))

    const tok = await admin.post<RegistrationTokenCreated>('/api/v1/registration-tokens', {
      kind: 'server',
      name: 'vps-going',
    })
    const reg = await agentCli([
      'register',
      '--url',
      t.url,
      '--token',
      tok.body.token,
      '--config',
      config,
      '--state-dir',
      state,
      '--driver',
      'recording',
    ])
    expect(reg.stderr).toBe('')
    expect(reg.code).toBe(0)

    const a = new RunningAgent(
      spawn(process.execPath, [`${lib}/wirewarp-agent.mjs`, 'run', '--config', config], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, WIREWARP_PREFIX: root },
      }),
    )
    try {
      await a.waitFor(/applied revision 1 in \d+ ms/)
      const list = await admin.get<{ items: Agent[] }>('/api/v1/agents?limit=500')
      const row = list.body.items.find((x) => x.name === 'vps-going')!
      await expect
        .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${row.id}`)).body)
        .toMatchObject({
          status: 'connected',
          commands: expect.arrayContaining(['uninstall']),
          // The bundle run by this Node, probed on the test machine.
          host: { install: 'bundle', node: process.versions.node },
        })

      const done = await admin.post<CommandLogEntry>(`/api/v1/agents/${row.id}/commands`, {
        command: 'uninstall',
        wait: true,
      })
      expect(done.body).toMatchObject({
        status: 'success',
        result: {
          teardown: 'The recording driver changes nothing on the host; nothing to tear down.',
          service: { manager: 'systemd' },
          ignored: [
            { path: `${dir}/precious`, reason: 'outside the agent’s installation directories' },
            { path: `${root}/etc/systemd/system/sshd.service` },
          ],
          failed: [],
        },
      })
      expect((done.body.result as { removed: string[] }).removed).toEqual(
        [unit, `${root}/etc/wirewarp`, lib, `${root}/usr/local/bin/wirewarp-agent`, state].sort(),
      )
      expect(await a.exited).toBe(3)
      expect(a.stderr).toMatch(/uninstalled: the agent removed itself from this host; exiting/)

      for (const gone of [lib, config, state, unit, `${root}/usr/local/bin/wirewarp-agent`])
        expect(existsSync(gone), gone).toBe(false)
      expect(readFileSync(`${dir}/precious`, 'utf8')).toBe('keep')
      expect(readFileSync(`${root}/etc/systemd/system/sshd.service`, 'utf8')).toBe('keep')

      await expect
        .poll(async () => (await admin.get<Agent>(`/api/v1/agents/${row.id}`)).body)
        .toMatchObject({ status: 'disconnected', uninstalledAt: expect.any(String) })
      const history = await admin.get<{ items: CommandLogEntry[] }>(`/api/v1/agents/${row.id}/commands`)
      expect(history.body.items.map((c) => [c.command, c.status])).toEqual([['uninstall', 'success']])
    } finally {
      a.kill('SIGKILL')
    }
  })
})
