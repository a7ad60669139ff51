/**
 * The install script's text: valid POSIX sh for both modes, the layout the agent's uninstall
 * command relies on, and a systemd unit that `systemd-analyze verify` accepts without a word
 * (it exits 0 even on bad lines, so its output must be empty too).
 */
import { execFile, execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { renderInstallScript, systemdUnit } from './installScript.ts'
import { renderLauncher } from './launcher.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-install-script-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function run(file: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    )
  })
}

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('install script', () => {
  for (const mode of ['server', 'client'] as const)
    test(`${mode}: parses as POSIX sh (dash) and names the layout`, async () => {
      const script = renderInstallScript(mode)
      const file = path.join(dir, `install-${mode}.sh`)
      writeFileSync(file, script)
      for (const shell of ['sh', ...(has('dash') ? ['dash'] : [])]) {
        const r = await run(shell, ['-n', file])
        expect(r.code, r.out).toBe(0)
      }
      expect(script).toContain(`MODE=${mode}\n`)
      expect(script).not.toContain('@MODE@')
      expect(script).not.toContain('@SYSTEMD_UNIT@')
      // Every path of the layout, written once at the top for the agent's uninstall command.
      for (const p of [
        '/usr/local/lib/wirewarp/wirewarp-agent ',
        '/usr/local/lib/wirewarp/wirewarp-agent.mjs',
        '/usr/local/lib/wirewarp/installed',
        '/usr/local/bin/wirewarp-agent',
        '/etc/wirewarp/agent.yaml',
        '/var/lib/wirewarp/',
        '/etc/systemd/system/wirewarp-agent.service',
        '/etc/init.d/wirewarp-agent',
      ])
        expect(script).toContain(`#   ${p}`)
      // The whole script is one function called on the last line: a cut-off download runs nothing.
      expect(script.trimEnd().split('\n').at(-1)).toBe('main "$@"')
    })

  test('the script writes the unit that systemdUnit renders', () => {
    expect(renderInstallScript('server')).toContain(systemdUnit('server', '$LIB/wirewarp-launcher', '$CONFIG'))
  })

  test('the script installs the launcher as it renders, and runs the agent through it', () => {
    const script = renderInstallScript('client')
    expect(script).toContain(`<<'LAUNCHER'\n${renderLauncher().trimEnd()}\nLAUNCHER\n`)
    expect(script).not.toContain('@LAUNCHER@')
    expect(script).toContain('exec "$LIB/wirewarp-launcher" run --config "$CONFIG"')
    expect(script).toContain('command="$LIB/wirewarp-launcher"')
  })

  test.skipIf(!has('systemd-analyze') && process.env.CI !== 'true')(
    'the systemd unit passes systemd-analyze verify',
    async () => {
      // verify checks that ExecStart's program exists and is executable: a stub stands in.
      const exe = path.join(dir, 'wirewarp-agent')
      writeFileSync(exe, '#!/bin/sh\nexit 0\n')
      chmodSync(exe, 0o755)
      for (const mode of ['server', 'client'] as const) {
        const unit = path.join(dir, 'wirewarp-agent.service')
        const text = systemdUnit(mode, exe, '/etc/wirewarp/agent.yaml')
        expect(text).toContain('RestartPreventExitStatus=3')
        writeFileSync(unit, `${text}\n`)
        const r = await run('systemd-analyze', ['verify', unit])
        expect(r, r.out).toEqual({ code: 0, out: '' })
      }
      // And it does complain about a bad line, so the empty output above means something.
      const bad = path.join(dir, 'bad.service')
      writeFileSync(bad, systemdUnit('server', exe, '/x').replace('Restart=always', 'Restart=sometimes'))
      expect((await run('systemd-analyze', ['verify', bad])).out).toMatch(/restart specifier/)
    },
  )
})
