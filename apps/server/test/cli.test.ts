/** The `wirewarp` command as a person runs it: first start, admin create, migrate, bad config, SIGTERM. */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, test } from 'vitest'
import { freshDatabase, skipDb } from './harness.ts'

const run = promisify(execFile)
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/main.ts')
const NODE_ARGS = ['--import', 'tsx', MAIN]
const skip = await skipDb()

type Fresh = Awaited<ReturnType<typeof freshDatabase>>
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function database(): Promise<Fresh> {
  const f = await freshDatabase()
  cleanups.push(() => f.drop())
  return f
}

function envOf(f: Fresh, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WIREWARP_DATA_DIR: f.dataDir, LOG_LEVEL: 'info' }
  delete env.DATABASE_URL
  delete env.WIREWARP_ADMIN_EMAIL
  delete env.WIREWARP_ADMIN_PASSWORD
  if (f.databaseUrl) env.DATABASE_URL = f.databaseUrl
  return { ...env, ...extra }
}

/** Runs the command to its end; `input` is its standard input (a pipe, never a terminal). */
async function wirewarp(args: string[], env: NodeJS.ProcessEnv, input = '') {
  try {
    const p = run(process.execPath, [...NODE_ARGS, ...args], { env, timeout: 30_000 })
    p.child.stdin?.end(input)
    const r = await p
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** Starts `wirewarp serve` on a free port and resolves once it listens. */
function serve(
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ child: ChildProcess; url: string; stderr: () => string; stdout: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], { env: { ...env, PORT: '0', HOST: '127.0.0.1' } })
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let out = ''
    let err = ''
    child.stderr.on('data', (d) => {
      err += d
    })
    child.stdout.on('data', (d) => {
      out += d
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) resolve({ child, url: m[1]!, stderr: () => err, stdout: () => out })
    })
    child.on('exit', (code) => reject(new Error(`wirewarp exited with ${code} before listening:\n${out}\n${err}`)))
  })
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

describe.skipIf(skip)('wirewarp command', () => {
  test('first start prints a generated admin password once; it signs in; SIGTERM stops cleanly', async () => {
    const f = await database()
    const first = await serve(envOf(f))
    await new Promise((r) => setTimeout(r, 200))
    const m = /password: (\S+)/.exec(first.stderr())
    expect(m, first.stderr()).not.toBeNull()
    const login = await fetch(`${first.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@wirewarp.local', password: m![1] }),
    })
    expect(login.status).toBe(200)
    const code = exited(first.child)
    first.child.kill('SIGTERM')
    expect(await code).toBe(0)

    const second = await serve(envOf(f))
    await new Promise((r) => setTimeout(r, 200))
    expect(second.stderr()).not.toMatch(/password:/)
    second.child.kill('SIGTERM')
    expect(await exited(second.child)).toBe(0)
  })

  const signsIn = async (url: string, email: string, password: string) =>
    (
      await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      })
    ).status === 200

  test('serve --local-agent registers a tunnel server agent on this host by itself and keeps it running', async () => {
    const f = await database()
    const env = envOf(f, {
      WIREWARP_ADMIN_EMAIL: 'admin@example.com',
      WIREWARP_ADMIN_PASSWORD: 'single host password',
      WIREWARP_PUBLIC_URL: 'http://203.0.113.9:8080',
      // The recording driver: the agent changes nothing on this machine (a lab test runs the real one).
      WIREWARP_LOCAL_AGENT_DRIVER: 'recording',
    })
    const first = await serve(env, ['serve', '--local-agent'])
    const cookie = async (url: string) => {
      const r = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: 'single host password' }),
      })
      return r.headers.getSetCookie()[0]!.split(';')[0]!
    }
    const get = async <T>(url: string, c: string) => (await (await fetch(url, { headers: { cookie: c } })).json()) as T
    type Servers = { items: { id: string; status: string; publicIp: string | null; agentId: string }[] }
    let c = await cookie(first.url)
    await expect
      .poll(
        async () =>
          (await get<Servers>(`${first.url}/api/v1/tunnel-servers`, c)).items.map((s) => [s.status, s.publicIp]),
        {
          timeout: 20_000,
        },
      )
      .toEqual([['connected', '203.0.113.9']])
    expect(first.stdout()).toContain('driver recording')
    const [server] = (await get<Servers>(`${first.url}/api/v1/tunnel-servers`, c)).items
    // A device reaches the local agent's state.
    const device = await fetch(`${first.url}/api/v1/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: c, origin: first.url },
      body: JSON.stringify({ name: 'phone', tunnelServerId: server!.id, generateKey: true }),
    })
    expect(device.status).toBe(201)
    const { publicKey } = (await device.json()) as { publicKey: string }
    const recording = path.join(f.dataDir, 'local-agent', 'state', 'recording.jsonl')
    await expect
      .poll(() => (existsSync(recording) ? readFileSync(recording, 'utf8').includes(publicKey) : false), {
        timeout: 20_000,
        message: `${first.stdout()}\n${first.stderr()}`,
      })
      .toBe(true)
    const code = exited(first.child)
    first.child.kill('SIGTERM')
    expect(await code).toBe(0)

    // Started again, it runs the agent it registered: still one tunnel server, the same one.
    const second = await serve(env, ['serve', '--local-agent'])
    c = await cookie(second.url)
    await expect
      .poll(
        async () => (await get<Servers>(`${second.url}/api/v1/tunnel-servers`, c)).items.map((s) => [s.id, s.status]),
        {
          timeout: 20_000,
        },
      )
      .toEqual([[server!.id, 'connected']])
    second.child.kill('SIGTERM')
    expect(await exited(second.child)).toBe(0)
    // The agent stopped with the server.
    expect(second.stdout()).not.toMatch(/local agent exited/)
  })

  test('serve refuses an option it does not know', async () => {
    const f = await database()
    const r = await wirewarp(['serve', '--local-agnet'], envOf(f))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('serve: unknown option --local-agnet')
  })

  test('admin create reads the password from standard input and makes an admin who can sign in', async () => {
    const f = await database()
    // As in `printf '%s\n' "$PW" | wirewarp admin create …`: the newline is not part of the password.
    const ok = await wirewarp(['admin', 'create', '--email', 'Ops@Example.com'], envOf(f), 'a long enough password\n')
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/Created admin ops@example.com/)

    const short = await wirewarp(['admin', 'create', '--email', 'x@example.com'], envOf(f), 'short\n')
    expect(short.code).toBe(2)
    expect(short.stderr).toMatch(/password: Must be at least 12 characters/)
    const common = await wirewarp(['admin', 'create', '--email', 'x@example.com'], envOf(f), 'password1234\n')
    expect(common.code).toBe(2)
    expect(common.stderr).toMatch(/password: .*common/)
    const dup = await wirewarp(['admin', 'create', '--email', 'ops@example.com'], envOf(f), 'a long enough password\n')
    expect(dup.code).toBe(2)
    expect(dup.stderr).toMatch(/exists already/)
    // No terminal and nothing piped in: says what to do instead of hanging or taking an empty password.
    const empty = await wirewarp(['admin', 'create', '--email', 'y@example.com'], envOf(f), '')
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/standard input/)
    expect(empty.stderr).toMatch(/--password-file/)

    const s = await serve(envOf(f))
    // The admin exists, so no first-start admin is made.
    expect(s.stderr()).not.toMatch(/password:/)
    expect(await signsIn(s.url, 'ops@example.com', 'a long enough password')).toBe(true)
    expect(await signsIn(s.url, 'x@example.com', 'password1234')).toBe(false)
  })

  // util-linux `script` gives the command a real terminal, as a person has. A laptop without it
  // skips; under CI (which installs util-linux) a missing `script` is a failure.
  const noScript = !existsSync('/usr/bin/script')
  if (noScript && process.env.CI) throw new Error('/usr/bin/script (util-linux) is missing, and CI=true: cannot skip')
  test.skipIf(noScript)('admin create in a terminal asks twice without echoing the password', async () => {
    const f = await database()
    const password = 'typed at a terminal 7'
    const quote = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`
    const command = [process.execPath, ...NODE_ARGS, 'admin', 'create', '--email', 'tty@example.com']
      .map(quote)
      .join(' ')
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: envOf(f) })
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let screen = ''
    let answered = 0
    child.stdout.on('data', (d) => {
      screen += d
      // Type only once asked: before readline takes the terminal, the terminal itself would echo.
      const asked = (screen.match(/Password: |Repeat the password: /g) ?? []).length
      if (asked > answered) {
        answered = asked
        child.stdin.write(`${password}\r`)
      }
    })
    const code = await exited(child)
    expect(screen).toMatch(/Created admin tty@example.com/)
    expect(code).toBe(0)
    expect(screen).not.toContain(password)
  })

  test('admin create refuses --password: argv is visible to every user and kept in shell history', async () => {
    const f = await database()
    const r = await wirewarp(
      ['admin', 'create', '--email', 'ops@example.com', '--password', 'a long enough password'],
      envOf(f),
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--password is not accepted/)
    expect(r.stderr).toMatch(/shell history/)
    expect(r.stderr).toMatch(/--password-file/)
    expect(r.stdout).toBe('')
    const s = await serve(envOf(f))
    await new Promise((r) => setTimeout(r, 200))
    // No admin was made, so the first start makes one.
    expect(s.stderr()).toMatch(/first start/)
  })

  test('admin create --password-file reads the first line; warns when others may read the file', async () => {
    const f = await database()
    const file = path.join(f.dataDir, 'admin-password')
    writeFileSync(file, 'file password 12345\nsecond line is ignored\n', { mode: 0o600 })
    chmodSync(file, 0o600)
    const ok = await wirewarp(['admin', 'create', '--email', 'file@example.com', '--password-file', file], envOf(f))
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)

    const open = path.join(f.dataDir, 'open-password')
    writeFileSync(open, 'open file password 1\n')
    chmodSync(open, 0o644)
    const warned = await wirewarp(['admin', 'create', '--email', 'open@example.com', '--password-file', open], envOf(f))
    expect(warned.code).toBe(0)
    expect(warned.stderr).toMatch(/readable by other users/)
    expect(warned.stderr).toContain(`chmod 600 ${open}`)

    const missing = await wirewarp(
      ['admin', 'create', '--email', 'gone@example.com', '--password-file', path.join(f.dataDir, 'nope')],
      envOf(f),
    )
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/--password-file: cannot read/)

    const s = await serve(envOf(f))
    expect(await signsIn(s.url, 'file@example.com', 'file password 12345')).toBe(true)
    expect(await signsIn(s.url, 'open@example.com', 'open file password 1')).toBe(true)
  })

  test('a refused WIREWARP_ADMIN_PASSWORD stops the first start, naming the variable', async () => {
    const f = await database()
    const r = await wirewarp([], envOf(f, { WIREWARP_ADMIN_PASSWORD: 'password1234' }))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/WIREWARP_ADMIN_PASSWORD .*common/)
    const mine = await wirewarp(
      [],
      envOf(f, { WIREWARP_ADMIN_EMAIL: 'christopher.robin@example.com', WIREWARP_ADMIN_PASSWORD: 'Christopher.Robin' }),
    )
    expect(mine.code).toBe(1)
    expect(mine.stderr).toMatch(/WIREWARP_ADMIN_PASSWORD .*email/)
  })

  test('migrate applies once, then reports up to date', async () => {
    const f = await database()
    const first = await wirewarp(['migrate'], envOf(f))
    expect(first.stdout).toMatch(/Applied 001_initial/)
    const second = await wirewarp(['migrate'], envOf(f))
    expect(second.stdout).toMatch(/up to date/)
  })

  test('new-epoch starts a new epoch in the database (after restoring a backup)', async () => {
    const f = await database()
    await wirewarp(['migrate'], envOf(f))
    const r = await wirewarp(['new-epoch'], envOf(f))
    expect(r.code).toBe(0)
    const m = /Started epoch (\S+) \(was (\S+)\)/.exec(r.stdout)
    expect(m?.[1]).toBeDefined()
    expect(m?.[1]).not.toBe(m?.[2])
    const again = await wirewarp(['new-epoch'], envOf(f))
    expect(/\(was (\S+)\)/.exec(again.stdout)?.[1]).toBe(m?.[1])
  })

  test('a bad environment variable stops the start with its name and reason', async () => {
    const f = await database()
    const r = await wirewarp([], envOf(f, { PORT: 'eighty', WIREWARP_PUBLIC_URL: 'ftp://x' }))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/PORT must be a port number/)
    expect(r.stderr).toMatch(/WIREWARP_PUBLIC_URL must be an http\(s\) URL/)
  })
})
