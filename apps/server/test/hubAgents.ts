/**
 * Enrols protocol-level agents (WsAgent) against a test server for hub tests: a registration
 * token, `register`, then `hello` on a fresh socket, up to the first desired state.
 */
import type { Agent, AgentFacts, DesiredState, RegistrationTokenCreated } from '@wirewarp/protocol'
import type { Client, TestServer } from './harness.ts'
import { facts, WsAgent } from './wsAgent.ts'

export interface EnrolledAgent {
  agentId: string
  credential: string
  socket: WsAgent
  first: { state: DesiredState }
  facts: AgentFacts
  row: Agent
}

export class AgentPool {
  readonly sockets: WsAgent[] = []

  constructor(
    private readonly t: () => TestServer,
    private readonly admin: () => Client,
  ) {}

  async connect(): Promise<WsAgent> {
    const a = await WsAgent.connect(this.t().url)
    this.sockets.push(a)
    return a
  }

  async token(kind: 'server' | 'client', name: string, tunnelServerId?: string): Promise<string> {
    const r = await this.admin().post<RegistrationTokenCreated>('/api/v1/registration-tokens', {
      kind,
      name,
      tunnelServerId,
    })
    if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body.token
  }

  /** Registers and connects an agent; resolves after its first desired state. */
  async enrol(
    kind: 'server' | 'client',
    name: string,
    tunnelServerId?: string,
    f: AgentFacts = facts(),
  ): Promise<EnrolledAgent> {
    const reg = await this.connect()
    reg.register(await this.token(kind, name, tunnelServerId), kind, f)
    const { agentId, credential } = await reg.next('registered')
    await reg.closed
    const socket = await this.connect()
    socket.hello(agentId, credential, 0, f)
    await socket.next('welcome')
    const first = await socket.next('desired_state')
    const row = (await this.admin().get<Agent>(`/api/v1/agents/${agentId}`)).body
    return { agentId, credential, socket, first, facts: f, row }
  }

  closeAll(): void {
    for (const s of this.sockets) s.socket.terminate()
  }
}
