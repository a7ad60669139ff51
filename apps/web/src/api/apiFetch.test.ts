/**
 * apiFetch parses every answer with the protocol's schema. A unit test of that parsing: global fetch
 * is stubbed with canned responses, since no server is needed to check what is done with an answer.
 */
import { Agent, Page } from '@wirewarp/protocol'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { ApiError, canRetry, UNEXPECTED_ANSWER } from './ApiError.ts'
import { apiFetch } from './apiFetch.ts'

function stubFetch(response: () => Response) {
  const fetch = vi.fn(async (_url: string, _init?: RequestInit) => response())
  vi.stubGlobal('fetch', fetch)
  return fetch
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ApiError)
  return error as ApiError
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('apiFetch', () => {
  test('resolves to the answer as the schema parsed it', async () => {
    stubFetch(() => json({ ...validAgent(), extra: 'dropped' }))
    const got = await apiFetch('/agents/x', { schema: Agent })
    expect(got).toEqual(validAgent())
    expect(got).not.toHaveProperty('extra')
  })

  test('parses list envelopes item by item', async () => {
    stubFetch(() => json({ items: [validAgent()], total: 1, limit: 50, offset: 0 }))
    const got = await apiFetch('/agents', { schema: Page(Agent) })
    expect(got.items).toHaveLength(1)
    expect(got.total).toBe(1)
  })

  test('an answer that does not match throws an ApiError naming where, not the bad data', async () => {
    stubFetch(() => json({ items: [{ ...validAgent(), status: 'on fire' }], total: 1, limit: 50, offset: 0 }))
    const error = await rejection(apiFetch('/agents', { schema: Page(Agent) }))
    expect(error.code).toBe(UNEXPECTED_ANSWER)
    expect(error.status).toBe(200)
    expect(error.message).toMatch(/^The server sent an unexpected answer \(items\.0\.status: /)
    // Asking again gets the same answer.
    expect(canRetry(error)).toBe(false)
  })

  test('an answer that is not JSON is unexpected too', async () => {
    stubFetch(() => new Response('<html>hello</html>', { status: 200 }))
    const error = await rejection(apiFetch('/agents/x', { schema: Agent }))
    expect(error.message).toMatch(/unexpected answer \(not JSON\)/)
  })

  test('204 resolves to undefined when no content is expected', async () => {
    const fetch = stubFetch(() => new Response(null, { status: 204 }))
    await expect(apiFetch('/agents/x', { method: 'DELETE' })).resolves.toBeUndefined()
    expect(fetch.mock.calls[0]?.[1]?.method).toBe('DELETE')
  })

  test('204 where an answer was expected is unexpected', async () => {
    stubFetch(() => new Response(null, { status: 204 }))
    const error = await rejection(apiFetch('/agents/x', { schema: Agent }))
    expect(error.message).toMatch(/unexpected answer \(no content\)/)
  })

  test("an error answer keeps the server's code, message and fields", async () => {
    stubFetch(() =>
      json({ error: { code: 'validation', message: 'Check the fields', fields: { mtu: 'Too small' } } }, 400),
    )
    const error = await rejection(apiFetch('/tunnel-servers/x', { schema: Agent, method: 'PATCH', body: {} }))
    expect(error).toMatchObject({ status: 400, code: 'validation', message: 'Check the fields' })
    expect(error.fields).toEqual({ mtu: 'Too small' })
    expect(canRetry(error)).toBe(false)
  })

  test('an error answer that is not ours (a proxy) keeps the status', async () => {
    stubFetch(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }))
    const error = await rejection(apiFetch('/agents', { schema: Page(Agent) }))
    expect(error).toMatchObject({ status: 502, code: 'http_502', message: 'The server answered 502 Bad Gateway.' })
    expect(canRetry(error)).toBe(true)
  })

  test('no answer at all is a network error, worth retrying', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch')
      }),
    )
    const error = await rejection(apiFetch('/agents', { schema: Page(Agent) }))
    expect(error).toMatchObject({ status: 0, code: 'network' })
    expect(canRetry(error)).toBe(true)
  })
})

/** An agent as the server sends it. */
function validAgent() {
  return {
    id: '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f',
    name: 'vps-1',
    kind: 'server',
    status: 'connected',
    hostname: 'vps-1',
    version: '0.1.0',
    os: 'linux',
    arch: 'amd64',
    publicIp: '203.0.113.9',
    capabilities: { wireguard: 'kernel' },
    desiredRevision: 3,
    appliedRevision: 3,
    lastApplyError: null,
    lastAppliedAt: '2026-01-31T10:00:00.000Z',
    lastSeenAt: '2026-01-31T10:00:30.000Z',
    createdAt: '2026-01-30T09:00:00.000Z',
    tunnelServerId: '0b7e0d52-3c2f-4a8e-8a55-2f1e9c4b7d10',
    tunnelClientId: null,
    commands: ['ping', 'diagnostics', 'restart'],
    keyConflict: null,
    host: null,
    uninstalledAt: null,
    latestVersion: null,
    outdated: false,
    holdVersion: false,
    update: null,
    lastRepair: null,
  }
}
