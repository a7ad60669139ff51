/**
 * The server's log at its default level (info): reads and polling write nothing, each change
 * that succeeded writes one line that names who made it, and no line carries a secret.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Client, signIn, skipDb, startTestServer, type TestServer } from './harness.ts'

const skip = await skipDb()

describe.skipIf(skip)('request log', () => {
  const lines: Record<string, unknown>[] = []
  let t: TestServer
  let admin: Client

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l))
        done()
      },
    })
    t = await startTestServer({}, pino({ level: 'info' }, sink))
    admin = await signIn(t)
  })
  afterAll(() => t?.close())

  test('reads write nothing at info; a change writes one line naming its actor', async () => {
    lines.length = 0
    for (let i = 0; i < 20; i++) expect((await admin.get('/api/v1/agents')).status).toBe(200)
    await admin.get('/api/v1/auth/me')
    expect(lines.filter((l) => l.path !== undefined)).toEqual([])

    const created = await admin.post('/api/v1/users', {
      email: 'log-reader@example.com',
      name: 'Log reader',
      password: 'correct horse battery staple 42',
    })
    expect(created.status).toBe(201)
    const refused = await admin.post('/api/v1/users', { email: 'not an email' })
    expect(refused.status).toBe(400)

    const requestLines = lines.filter((l) => l.path !== undefined)
    expect(requestLines).toHaveLength(1)
    expect(requestLines[0]).toMatchObject({ method: 'POST', path: '/api/v1/users', statusCode: 201 })
    expect(String(requestLines[0]!.msg)).toContain('admin@')
    expect(JSON.stringify(lines)).not.toContain('correct horse battery staple 42')
  })
})
