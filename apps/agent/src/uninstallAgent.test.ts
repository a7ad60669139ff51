import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import type { Driver } from './drivers/driver.ts'
import { type InstallLayout, installLayout } from './removeInstallation.ts'
import { fakeRun } from './testing/fakeRun.ts'
import { stopService, TeardownFailed, UninstallIncomplete, uninstallAgent } from './uninstallAgent.ts'

// A fake driver and command runner (recording what would run); the files are real, under a prefix.
let dir: string
let l: InstallLayout
const torn: string[] = []

function driver(fail?: string): Driver {
  return {
    name: 'linux',
    capabilities: async () => ({}),
    apply: async () => {},
    diagnostics: async () => ({}),
    teardown: async () => {
      if (fail) throw new Error(fail)
      torn.push('teardown')
    },
  }
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-uninstall-'))
  l = installLayout(dir)
  for (const f of [`${l.lib}/wirewarp-agent`, `${l.etc}/agent.yaml`, `${l.state}/state.json`, l.systemdUnit]) {
    await mkdir(path.dirname(f), { recursive: true })
    await writeFile(f, 'x')
  }
  torn.length = 0
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const options = (d: Driver, run = fakeRun().run) => ({
  driver: d,
  layout: l,
  configPath: `${l.etc}/agent.yaml`,
  stateDir: l.state,
  run,
})

test('tears down first, then removes the files; under a prefix no service command runs', async () => {
  const run = fakeRun()
  const report = await uninstallAgent(options(driver(), run.run))
  expect(torn).toEqual(['teardown'])
  expect(report.teardown).toMatch(/^Removed the nftables table inet wirewarp/)
  expect(report.service).toEqual({
    manager: 'systemd',
    done: [
      `skipped \`systemctl disable wirewarp-agent\` (installed under ${dir})`,
      `skipped \`systemctl daemon-reload\` (installed under ${dir})`,
    ],
  })
  expect(report.removed).toEqual([l.systemdUnit, l.etc, l.lib, l.state].sort())
  expect(run.lines()).toEqual([])
  await stopService(l, 'systemd', run.run)
  expect(run.lines()).toEqual([])
})

test('on the host, the unit is disabled before its file goes, and stopped without waiting afterwards', async () => {
  const run = fakeRun()
  await stopService({ ...l, prefix: '' }, 'systemd', run.run)
  await stopService({ ...l, prefix: '' }, 'none', run.run)
  expect(run.lines()).toEqual(['systemctl --no-block stop wirewarp-agent'])
})

test('a failed teardown removes nothing', async () => {
  const err = await uninstallAgent(options(driver('nft: permission denied'))).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(TeardownFailed)
  expect((err as Error).message).toBe(
    'The teardown failed, so nothing was removed and the agent keeps running: nft: permission denied',
  )
  expect(existsSync(`${l.lib}/wirewarp-agent`)).toBe(true)
  expect(existsSync(`${l.etc}/agent.yaml`)).toBe(true)
})

test('a driver without teardown says so; what could not be removed is named with the way out', async () => {
  const recording = { ...driver(), name: 'recording' as const, teardown: undefined }
  const report = await uninstallAgent(options(recording))
  expect(report.teardown).toBe('The recording driver changes nothing on the host; nothing to tear down.')
  // The message an incomplete removal reports (tests run as root, where no removal fails).
  const incomplete = new UninstallIncomplete({ ...report, failed: [{ path: l.state, error: 'EBUSY' }] })
  expect(incomplete.message).toBe(
    `The agent was torn down and stopped, but could not remove: ${l.state} (EBUSY). Remove these yourself, or run the install script with --uninstall.`,
  )
})
