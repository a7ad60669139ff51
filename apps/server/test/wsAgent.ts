/**
 * A protocol-level agent for hub tests: a real WebSocket to /ws/agent that sends what a test
 * says and lets it wait for the next message of a type. (The real agent process is tested in
 * e2e/agents; this drives edge cases the real agent never produces.)
 */
import { generateKeyPairSync } from 'node:crypto'
import { type AgentFacts, HubMessage, PROTOCOL_VERSION } from '@wirewarp/protocol'
import WebSocket from 'ws'

export function wgPublicKey(): string {
  const jwk = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' })
  return Buffer.from(jwk.x!, 'base64url').toString('base64')
}

export function facts(overrides: Partial<AgentFacts> = {}): AgentFacts {
  return {
    version: '0.1.0-test',
    hostname: 'test-host',
    os: 'linux 6.1',
    arch: 'x64',
    capabilities: { driver: 'test' },
    publicKey: wgPublicKey(),
    ...overrides,
  }
}

export class WsAgent {
  readonly received: HubMessage[] = []
  #waiters: { type: string; resolve: (m: HubMessage) => void }[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  /** When on, every desired state is acknowledged as applied the moment it arrives, like a fast agent. */
  autoAck = false
  /** Revisions of every desired state received, in order of arrival. */
  readonly revisions: number[] = []

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const msg = HubMessage.parse(JSON.parse(data.toString()))
      if (msg.type === 'desired_state') {
        this.revisions.push(msg.state.revision)
        if (this.autoAck)
          this.send({ type: 'applied', revision: msg.state.revision, epoch: msg.state.epoch, ok: true, durationMs: 1 })
      }
      const i = this.#waiters.findIndex((w) => w.type === msg.type)
      if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(msg)
      else this.received.push(msg)
    })
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
  }

  /** Connects from `localAddress` when given (any 127.x.y.z: a distinct client address on Linux). */
  static async connect(httpUrl: string, localAddress?: string): Promise<WsAgent> {
    const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/ws/agent`, localAddress ? { localAddress } : {})
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return new WsAgent(socket)
  }

  send(msg: unknown): void {
    this.socket.send(typeof msg === 'string' ? msg : JSON.stringify(msg))
  }

  /** The next message of this type (already received or still to come), within `ms`. */
  next<T extends HubMessage['type']>(type: T, ms = 5000): Promise<Extract<HubMessage, { type: T }>> {
    const i = this.received.findIndex((m) => m.type === type)
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0] as Extract<HubMessage, { type: T }>)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${type} message within ${ms} ms; got ${JSON.stringify(this.received)}`)),
        ms,
      )
      this.#waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer)
          resolve(m as Extract<HubMessage, { type: T }>)
        },
      })
    })
  }

  register(token: string, kind?: 'server' | 'client', f: AgentFacts = facts()): void {
    this.send({ type: 'register', protocolVersion: PROTOCOL_VERSION, token, kind, facts: f })
  }

  hello(
    agentId: string,
    credential: string,
    appliedRevision = 0,
    f: AgentFacts = facts(),
    extra: { appliedEpoch?: string; commands?: string[]; protocolVersion?: number; update?: unknown } = {},
  ): void {
    this.send({
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      agentId,
      credential,
      appliedRevision,
      facts: f,
      ...extra,
    })
  }

  /** Every message received so far that no `next` took, of one type. */
  all<T extends HubMessage['type']>(type: T): Extract<HubMessage, { type: T }>[] {
    return this.received.filter((m) => m.type === type) as Extract<HubMessage, { type: T }>[]
  }

  close(): void {
    this.socket.close(1000)
  }
}
