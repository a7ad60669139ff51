/**
 * PostgreSQL dropping the server's idle connections (a restart, a failover, an administrator)
 * must not end the server: the pool opens new ones and the next request is answered.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dbKind, pgAdmin, signIn, skipDb, startTestServer, type TestServer } from './harness.ts'

const skip = (await skipDb()) || dbKind !== 'postgres'

describe.skipIf(skip)('the database drops connections', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(async () => {
    await t?.close()
  })

  test('idle connections terminated by PostgreSQL: the server keeps answering', async () => {
    const admin = await signIn(t)
    expect((await admin.get('/api/v1/users')).status).toBe(200)
    const database = new URL(t.config.databaseUrl!).pathname.slice(1)
    const killed = await pgAdmin((c) =>
      c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [
        database,
      ]),
    )
    expect(killed.rowCount).toBeGreaterThan(0)
    // The pool learns of the dead connections asynchronously; give it a moment, as a real outage would.
    await new Promise((r) => setTimeout(r, 200))
    expect((await admin.get('/api/v1/users')).status).toBe(200)
    expect((await fetch(`${t.url}/api/health`)).status).toBe(200)
  })
})
