import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { type InstallLayout, installLayout, removeInstallation } from './removeInstallation.ts'

// Unprivileged: the install script's layout under a temporary prefix, beside files that must survive.
let dir: string
let root: string
let l: InstallLayout

async function put(file: string, text = 'x'): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, text)
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wwa-uninstall-'))
  root = path.join(dir, 'root')
  l = installLayout(root)
  await put(`${l.lib}/wirewarp-agent`)
  await put(`${l.lib}/wirewarp-agent.mjs`)
  await mkdir(path.dirname(l.bin), { recursive: true })
  await symlink(`${l.lib}/wirewarp-agent`, l.bin)
  await put(`${l.etc}/agent.yaml`, 'credential: secret')
  await put(`${l.state}/state.json`)
  await put(l.systemdUnit)
  await put(`${root}/etc/systemd/system/wirewarp-agent-rollback.service`)
  // Neighbours the agent did not install.
  await put(`${root}/etc/hostname`, 'keep')
  await put(`${root}/etc/systemd/system/sshd.service`, 'keep')
  await put(`${root}/usr/local/bin/other-tool`, 'keep')
  await put(`${dir}/outside/keep.txt`, 'keep')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const remove = () => removeInstallation({ layout: l, configPath: `${l.etc}/agent.yaml`, stateDir: l.state })

test('the default layout is the install script’s, and WIREWARP_PREFIX moves it', () => {
  expect(installLayout('')).toEqual({
    prefix: '',
    lib: '/usr/local/lib/wirewarp',
    bin: '/usr/local/bin/wirewarp-agent',
    etc: '/etc/wirewarp',
    state: '/var/lib/wirewarp',
    systemdUnit: '/etc/systemd/system/wirewarp-agent.service',
    openrcScript: '/etc/init.d/wirewarp-agent',
    installedList: '/usr/local/lib/wirewarp/installed',
  })
  expect(installLayout('/tmp/p/').bin).toBe('/tmp/p/usr/local/bin/wirewarp-agent')
})

test('removes the executable, the command, the config, the state, the unit and what the installer listed', async () => {
  await writeFile(l.installedList, `${root}/etc/systemd/system/wirewarp-agent-rollback.service\n\n# a comment\n`)
  const report = await remove()
  expect(report.failed).toEqual([])
  expect(report.ignored).toEqual([])
  expect(report.removed).toEqual(
    [`${root}/etc/systemd/system/wirewarp-agent-rollback.service`, l.systemdUnit, l.etc, l.lib, l.bin, l.state].sort(),
  )
  for (const f of [l.lib, l.bin, l.etc, l.state, l.systemdUnit]) expect(existsSync(f), f).toBe(false)
  expect(await readFile(`${root}/etc/hostname`, 'utf8')).toBe('keep')
  expect(await readFile(`${root}/etc/systemd/system/sshd.service`, 'utf8')).toBe('keep')
  expect(await readFile(`${root}/usr/local/bin/other-tool`, 'utf8')).toBe('keep')
  // Running it again finds nothing left to remove.
  expect(await remove()).toEqual({ removed: [], ignored: [], failed: [] })
})

test('a hostile installed list cannot reach outside the installation, not even through links', async () => {
  await symlink(root.replace(/root$/, 'outside'), `${l.lib}/escape`)
  await writeFile(
    l.installedList,
    [
      `${root}/etc`,
      `${root}/etc/hostname`,
      `${root}/usr/local/lib/wirewarp/../../../../etc/hostname`,
      `${root}/etc/systemd/system/sshd.service`,
      `${root}/usr/local/bin/other-tool`,
      `${l.lib}/escape/keep.txt`,
      `${dir}/outside/keep.txt`,
      'etc/hostname',
      '/',
    ].join('\n'),
  )
  const report = await remove()
  // ${root}/etc is on the way to /etc/wirewarp: only ever rmdir'ed, which fails while it holds anything.
  expect(report.ignored.map((i) => i.path)).toEqual([
    `${root}/etc/hostname`,
    `${root}/usr/local/lib/wirewarp/../../../../etc/hostname`,
    `${root}/etc/systemd/system/sshd.service`,
    `${root}/usr/local/bin/other-tool`,
    `${l.lib}/escape/keep.txt`,
    `${dir}/outside/keep.txt`,
    'etc/hostname',
    '/',
  ])
  expect(report.ignored.at(-2)?.reason).toBe('not an absolute path')
  expect(await readFile(`${root}/etc/hostname`, 'utf8')).toBe('keep')
  expect(await readFile(`${root}/etc/systemd/system/sshd.service`, 'utf8')).toBe('keep')
  expect(await readFile(`${root}/usr/local/bin/other-tool`, 'utf8')).toBe('keep')
  // The link inside the installation went with it; what it pointed to did not.
  expect(existsSync(l.lib)).toBe(false)
  expect(await readFile(`${dir}/outside/keep.txt`, 'utf8')).toBe('keep')
})

test('directories the installer had to create are removed when empty, never when something else is in them', async () => {
  await put(`${root}/var/log/wirewarp-agent.log`)
  await put(`${root}/etc/runlevels/default/wirewarp-agent`)
  await writeFile(
    l.installedList,
    [
      `${root}/usr/local/lib`,
      `${root}/usr/local/bin`,
      `${root}/etc/systemd/system`,
      `${root}/etc/runlevels/default/wirewarp-agent`,
      `${root}/var/log/wirewarp-agent.log`,
    ].join('\n'),
  )
  const report = await remove()
  expect(report.ignored).toEqual([])
  expect(report.removed).toContain(`${root}/usr/local/lib`)
  expect(report.removed).toContain(`${root}/var/log/wirewarp-agent.log`)
  expect(report.removed).toContain(`${root}/etc/runlevels/default/wirewarp-agent`)
  expect(existsSync(`${root}/usr/local/lib`)).toBe(false)
  // Not empty: other-tool and sshd.service stay, and so do their directories.
  expect(await readFile(`${root}/usr/local/bin/other-tool`, 'utf8')).toBe('keep')
  expect(await readFile(`${root}/etc/systemd/system/sshd.service`, 'utf8')).toBe('keep')
})

test('a state directory outside the installation is left, and said so; a config elsewhere is removed', async () => {
  const elsewhere = path.join(dir, 'custom')
  await put(`${elsewhere}/agent.yaml`)
  await put(`${elsewhere}/state/state.json`)
  const report = await removeInstallation({
    layout: l,
    configPath: `${elsewhere}/agent.yaml`,
    stateDir: `${elsewhere}/state`,
  })
  expect(report.ignored).toEqual([
    { path: `${elsewhere}/state`, reason: 'a state directory outside the installation; remove it yourself' },
  ])
  expect(existsSync(`${elsewhere}/agent.yaml`)).toBe(false)
  expect(existsSync(`${elsewhere}/state/state.json`)).toBe(true)
})
