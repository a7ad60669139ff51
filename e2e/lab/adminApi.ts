/**
 * The control server's REST API as the lab's admin uses it: signs in with a session cookie and
 * sends the Origin header the server's CSRF check wants on writes, like the dashboard does.
 * Every call checks its status and returns the parsed body; a wrong status throws with the
 * server's error message.
 */
import type {
  Agent,
  DesiredState,
  PortForward,
  PortForwardCreate,
  RegistrationTokenCreate,
  TunnelClient,
  TunnelClientUpdate,
  TunnelServer,
  TunnelServerUpdate,
} from '@wirewarp/protocol'

interface Page<T> {
  items: T[]
  total: number
}

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url} answered ${status}: ${body}`)
  }
}

export class AdminApi {
  private constructor(
    readonly baseUrl: string,
    private readonly cookie: string,
  ) {}

  static async signIn(baseUrl: string, email: string, password: string): Promise<AdminApi> {
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl },
      body: JSON.stringify({ email, password }),
    })
    if (res.status !== 200) throw new ApiError('POST', '/api/v1/auth/login', res.status, await res.text())
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('wirewarp_session='))
    if (!cookie) throw new Error('sign-in set no session cookie')
    return new AdminApi(baseUrl, cookie.split(';')[0]!)
  }

  async request<T>(method: string, url: string, body?: unknown, expect = method === 'POST' ? 201 : 200): Promise<T> {
    const headers: Record<string, string> = { cookie: this.cookie }
    if (method !== 'GET') headers.origin = this.baseUrl
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(this.baseUrl + url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    })
    const text = await res.text()
    if (res.status !== expect) throw new ApiError(method, url, res.status, text)
    return (text ? JSON.parse(text) : null) as T
  }

  /** A GET whose answer is text, not JSON (a device's .conf). */
  async text(url: string): Promise<string> {
    const res = await fetch(this.baseUrl + url, {
      headers: { cookie: this.cookie },
      signal: AbortSignal.timeout(30_000),
    })
    const text = await res.text()
    if (res.status !== 200) throw new ApiError('GET', url, res.status, text)
    return text
  }

  createRegistrationToken(body: RegistrationTokenCreate): Promise<{ token: string }> {
    return this.request('POST', '/api/v1/registration-tokens', body)
  }

  agent(id: string): Promise<Agent> {
    return this.request('GET', `/api/v1/agents/${id}`)
  }

  /** What the server pushes to the agent now. */
  desiredState(agentId: string): Promise<DesiredState> {
    return this.request('GET', `/api/v1/agents/${agentId}/desired-state`)
  }

  /** `restart` re-reads the agent's config and applies its saved state again, in the same process. */
  agentCommand(id: string, command: 'ping' | 'diagnostics' | 'restart'): Promise<{ id: string }> {
    return this.request('POST', `/api/v1/agents/${id}/commands`, { command, wait: true })
  }

  async tunnelServerOfAgent(agentId: string): Promise<TunnelServer> {
    const page = await this.request<Page<TunnelServer>>('GET', '/api/v1/tunnel-servers?limit=100')
    const s = page.items.find((i) => i.agentId === agentId)
    if (!s) throw new Error(`agent ${agentId} has no tunnel server`)
    return s
  }

  async tunnelClientOfAgent(agentId: string): Promise<TunnelClient> {
    const page = await this.request<Page<TunnelClient>>('GET', '/api/v1/tunnel-clients?limit=100')
    const c = page.items.find((i) => i.agentId === agentId)
    if (!c) throw new Error(`agent ${agentId} has no tunnel client`)
    return c
  }

  updateTunnelServer(id: string, body: TunnelServerUpdate): Promise<TunnelServer> {
    return this.request('PATCH', `/api/v1/tunnel-servers/${id}`, body)
  }

  updateTunnelClient(id: string, body: TunnelClientUpdate): Promise<TunnelClient> {
    return this.request('PATCH', `/api/v1/tunnel-clients/${id}`, body)
  }

  createForward(body: PortForwardCreate): Promise<PortForward> {
    return this.request('POST', '/api/v1/port-forwards', body)
  }

  setForwardEnabled(id: string, enabled: boolean): Promise<PortForward> {
    return this.request('POST', `/api/v1/port-forwards/${id}/${enabled ? 'enable' : 'disable'}`, undefined, 200)
  }

  deleteForward(id: string): Promise<null> {
    return this.request('DELETE', `/api/v1/port-forwards/${id}`, undefined, 204)
  }
}
