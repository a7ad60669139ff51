/** The `wirewarp` command as a person runs it: first start, admin create, migrate, bad config, SIGTERM. */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
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
  const env: NodeJS.ProcessEnv = { ...process.env, WIREWARP_DATA_DIR: f.dataDir, LOG_LEVEL: 'info', ...extra }
  delete env.DATABASE_URL
  delete env.WIREWARP_ADMIN_EMAIL
  delete env.WIREWARP_ADMIN_PASSWORD
  if (f.databaseUrl) env.DATABASE_URL = f.databaseUrl
  return env
}

async function wirewarp(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const r = await run(process.execPath, [...NODE_ARGS, ...args], { env, timeout: 30_000 })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** Starts `wirewarp serve` on a free port and resolves once it listens. */
function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS], { env: { ...env, PORT: '0', HOST: '127.0.0.1' } })
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
      if (m) resolve({ child, url: m[1]!, stderr: () => err })
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

  test('admin create makes an admin who can sign in; bad input is refused with the field named', async () => {
    const f = await database()
    const ok = await wirewarp(
      ['admin', 'create', '--email', 'Ops@Example.com', '--password', 'a long enough password'],
      envOf(f),
    )
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/Created admin ops@example.com/)

    const short = await wirewarp(['admin', 'create', '--email', 'x@example.com', '--password', 'short'], envOf(f))
    expect(short.code).toBe(2)
    expect(short.stderr).toMatch(/--password: Must be at least 12 characters/)
    const dup = await wirewarp(
      ['admin', 'create', '--email', 'ops@example.com', '--password', 'a long enough password'],
      envOf(f),
    )
    expect(dup.code).toBe(2)
    expect(dup.stderr).toMatch(/exists already/)
    // No terminal to prompt on: says what to pass instead of hanging.
    const noTty = await wirewarp(['admin', 'create', '--email', 'y@example.com'], envOf(f))
    expect(noTty.code).toBe(2)
    expect(noTty.stderr).toMatch(/--password is required/)

    const s = await serve(envOf(f))
    // The admin exists, so no first-start admin is made.
    expect(s.stderr()).not.toMatch(/password:/)
    const login = await fetch(`${s.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com', password: 'a long enough password' }),
    })
    expect(login.status).toBe(200)
  })

  test('migrate applies once, then reports up to date', async () => {
    const f = await database()
    const first = await wirewarp(['migrate'], envOf(f))
    expect(first.stdout).toMatch(/Applied 001_initial/)
    const second = await wirewarp(['migrate'], envOf(f))
    expect(second.stdout).toMatch(/up to date/)
  })

  test('a bad environment variable stops the start with its name and reason', async () => {
    const f = await database()
    const r = await wirewarp([], envOf(f, { PORT: 'eighty', WIREWARP_PUBLIC_URL: 'ftp://x' }))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/PORT must be a port number/)
    expect(r.stderr).toMatch(/WIREWARP_PUBLIC_URL must be an http\(s\) URL/)
  })
})
