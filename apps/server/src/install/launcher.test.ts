/**
 * The launcher (launcher.ts): valid POSIX sh, and its behaviour with stand-in agents (sh scripts)
 * in a temporary directory: exit 75 restarts in place; with an update pending, a new version that
 * exits or never confirms is rolled back to `.previous` with the reason in update.json, a
 * confirmed one is left alone, and a third start rolls back without starting it.
 */
import { execFile, execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { renderLauncher } from './launcher.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'wirewarp-launcher-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const launcher = path.join(dir, 'wirewarp-launcher')
writeFileSync(launcher, renderLauncher())
chmodSync(launcher, 0o755)

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    )
  })
}

let n = 0
/** A directory with an "installed" agent script and a state directory. */
function home(agent: string, previous?: string) {
  const d = path.join(dir, `case-${++n}`)
  mkdirSync(path.join(d, 'state'), { recursive: true })
  const exe = path.join(d, 'wirewarp-agent')
  writeFileSync(exe, `#!/bin/sh\n${agent}\n`)
  chmodSync(exe, 0o755)
  if (previous !== undefined) {
    writeFileSync(`${exe}.previous`, `#!/bin/sh\n${previous}\n`)
    chmodSync(`${exe}.previous`, 0o755)
  }
  const record = path.join(d, 'state', 'update.json')
  const config = path.join(d, 'agent.yaml')
  writeFileSync(config, `serverUrl: http://x\nstateDir: ${path.join(d, 'state')}\n`)
  return {
    d,
    exe,
    record,
    config,
    pending: (extra: Record<string, unknown> = {}) =>
      writeFileSync(
        record,
        `${JSON.stringify({ from: '0.1.0', to: '0.2.0', sha256: 'a'.repeat(64), startedAt: '2026-01-01T00:00:00.000Z', deadlineAt: '2026-01-01T00:02:00.000Z', deadlineSeconds: 120, starts: 0, state: 'pending', reason: null, finishedAt: null, reported: false, ...extra })}\n`,
      ),
    read: () => JSON.parse(readFileSync(record, 'utf8')),
    launch: () => run(launcher, ['run', '--config', config], { WIREWARP_LAUNCHER_AGENT: exe }),
  }
}

describe('launcher', () => {
  test('parses as POSIX sh (dash too)', async () => {
    for (const shell of ['sh', ...(has('dash') ? ['dash'] : [])]) {
      const r = await run(shell, ['-n', launcher])
      expect(r.code, r.out).toBe(0)
    }
    expect(renderLauncher()).not.toContain('${')
  })

  test('no update pending: runs the agent with its arguments, again on exit 75, and exits with its code', async () => {
    const h = home(
      'echo "ran $* launcher=$WIREWARP_LAUNCHER" >> "$(dirname "$0")/log"\n[ -f "$(dirname "$0")/again" ] && exit 4\n: > "$(dirname "$0")/again"\nexit 75',
    )
    const r = await h.launch()
    expect(r.code, r.out).toBe(4)
    expect(readFileSync(path.join(h.d, 'log'), 'utf8')).toBe(
      `ran run --config ${h.config} launcher=${launcher}\n`.repeat(2),
    )
    expect(existsSync(h.record)).toBe(false)
  })

  test('a new version that exits at once is rolled back, and the old one runs', async () => {
    const h = home('exit 1', 'echo old >> "$(dirname "$0")/log"; exit 0')
    h.pending()
    const r = await h.launch()
    expect(r.code, r.out).toBe(0)
    expect(r.out).toMatch(/rolled back to the previous version/)
    expect(readFileSync(path.join(h.d, 'log'), 'utf8')).toBe('old\n')
    expect(existsSync(`${h.exe}.previous`)).toBe(false)
    expect(h.read()).toMatchObject({
      from: '0.1.0',
      to: '0.2.0',
      state: 'rolled_back',
      starts: 1,
      reason: 'the new version exited with code 1 before it connected',
      finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      reported: false,
    })
  })

  test('a new version that never confirms is stopped after the deadline and rolled back', async () => {
    const h = home('exec sleep 600', 'exit 0')
    h.pending({ deadlineSeconds: 2 })
    const started = Date.now()
    const r = await h.launch()
    expect(r.code, r.out).toBe(0)
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(h.read()).toMatchObject({
      state: 'rolled_back',
      reason: 'the new version did not connect and apply its state within 2 seconds',
    })
    expect(readFileSync(h.exe, 'utf8')).toBe('#!/bin/sh\nexit 0\n')
  })

  test('a new version that confirms is kept', async () => {
    const h = home(
      'sleep 1\nsed \'s/"state":"pending"/"state":"confirmed"/\' "$R" > "$R.t" && mv "$R.t" "$R"\nsleep 2\nexit 5',
      'exit 0',
    )
    h.pending()
    const r = await run(launcher, ['run', '--config', h.config], {
      WIREWARP_LAUNCHER_AGENT: h.exe,
      R: h.record,
    })
    expect(r.code, r.out).toBe(5)
    expect(h.read()).toMatchObject({ state: 'confirmed' })
    expect(existsSync(`${h.exe}.previous`)).toBe(true)
  })

  test('a third start rolls back without starting the new version', async () => {
    const h = home('echo new >> "$(dirname "$0")/log"; exit 0', 'echo old >> "$(dirname "$0")/log"; exit 0')
    h.pending({ starts: 3 })
    const r = await h.launch()
    expect(r.code, r.out).toBe(0)
    expect(readFileSync(path.join(h.d, 'log'), 'utf8')).toBe('old\n')
    expect(h.read()).toMatchObject({
      state: 'rolled_back',
      reason: 'the new version was started 3 times without connecting and applying its state',
    })
  })

  test('TERM is passed on to the agent, and a stop during the deadline is no rollback', async () => {
    const h = home('trap "echo got-term >> $(dirname $0)/log; exit 0" TERM\nsleep 600 & wait', 'exit 9')
    h.pending()
    const child = execFile(launcher, ['run', '--config', h.config], {
      env: { ...process.env, WIREWARP_LAUNCHER_AGENT: h.exe },
    })
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    await new Promise((r) => setTimeout(r, 1500))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(readFileSync(path.join(h.d, 'log'), 'utf8')).toBe('got-term\n')
    expect(h.read()).toMatchObject({ state: 'pending', starts: 1 })
  })
})
