/**
 * The lab's traffic: echo servers on the homelab, the VM and the internet host that answer with
 * the peer address they saw, and a probe that sends one request from a namespace and parses the
 * answer. Both are small Node scripts (echoServer.mjs, probe.mjs) run with `ip netns exec`.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LabDir } from './labDir.ts'
import { LabProcess } from './labProcess.ts'
import { CommandFailed, inNamespace, run } from './run.ts'
import { type Namespace, NS } from './topology.ts'

const HERE = path.dirname(fileURLToPath(import.meta.url))
export const ECHO_SERVER = path.join(HERE, 'echoServer.mjs')
export const PROBE = path.join(HERE, 'probe.mjs')
export const STREAM_CLIENT = path.join(HERE, 'streamClient.mjs')

/** The VM's TCP service that keeps a connection open and echoes it (echoServer.mjs `stream`). */
export const VM_STREAM_PORT = 8090

/** What listens where: the destinations the lab's forwards point at, and the internet host's service for egress checks. */
export const ECHO_SERVICES: readonly { name: string; ns: Namespace; specs: readonly string[] }[] = [
  { name: 'homelab', ns: NS.homelab, specs: ['tcp:25565', 'udp:19132', 'udp:27015-27020', 'tcp:7777', 'udp:7777'] },
  { name: 'vm', ns: NS.vm, specs: ['tcp:8080', 'udp:8081', `stream:${VM_STREAM_PORT}`] },
  // A LAN box whose default route is the home router, not the homelab agent (a NAS, say).
  { name: 'lanhost', ns: NS.homer, specs: ['tcp:8443'] },
  { name: 'inet', ns: NS.inet, specs: ['tcp:9000'] },
]
/** The internet host's echo port (TCP): who it sees connecting tells where a host's egress leaves. */
export const INET_ECHO_PORT = 9000

export type Protocol = 'tcp' | 'udp'

export interface EchoReply {
  /** The address the service saw the client at. */
  peer: string
  /** Which echo server answered (homelab, vm, inet). */
  host: string
  port: number
}

export async function startEchoServers(dir: LabDir): Promise<LabProcess[]> {
  const started = ECHO_SERVICES.map((s) =>
    LabProcess.start(dir, `echo-${s.name}`, inNamespace(s.ns, [process.execPath, ECHO_SERVER, s.name, ...s.specs])),
  )
  await Promise.all(started.map((p) => p.waitForOutput(/^listening /m, 1, 10_000)))
  return started
}

function parseReply(line: string): EchoReply | null {
  const m = /peer=(\S+) host=(\S+) port=(\d+)/.exec(line)
  return m ? { peer: m[1]!, host: m[2]!, port: Number(m[3]) } : null
}

/**
 * Sends one request from namespace `from` to host:port. Resolves with the echo server's reply,
 * or null when there was none (refused, reset, silence until `timeoutMs`).
 */
export async function probe(
  from: Namespace,
  protocol: Protocol,
  host: string,
  port: number,
  timeoutMs = 1000,
): Promise<EchoReply | null> {
  try {
    const out = await run(
      inNamespace(from, [process.execPath, PROBE, protocol, host, String(port), String(timeoutMs)]),
      {
        timeoutMs: timeoutMs + 10_000,
      },
    )
    return parseReply(out)
  } catch (err) {
    if (err instanceof CommandFailed && err.code === 1) return null
    throw err
  }
}

/**
 * A TCP connection held open from namespace `from` (streamClient.mjs as a lab process): it sends
 * a numbered line every `intervalMs` and logs when each one comes back, so a test sees when the
 * connection stops getting through, as the clock of this machine tells it.
 */
export class OpenConnection {
  private constructor(private readonly process: LabProcess) {}

  static async open(
    dir: LabDir,
    name: string,
    from: Namespace,
    host: string,
    port: number,
    intervalMs = 20,
  ): Promise<OpenConnection> {
    // One log per name, appended across starts: a name used twice would read the old echoes.
    if (existsSync(dir.logFile(`stream-${name}`))) throw new Error(`an open connection named ${name} was made before`)
    const p = LabProcess.start(
      dir,
      `stream-${name}`,
      inNamespace(from, [process.execPath, STREAM_CLIENT, host, String(port), String(intervalMs)]),
    )
    const c = new OpenConnection(p)
    await p.waitForOutput(/^echo /m, 3, 10_000)
    return c
  }

  /** The echo server's first line: where it saw the connection come from. */
  reply(): EchoReply | null {
    return parseReply(this.process.output())
  }

  /** Epoch milliseconds of every echo received so far, in order. */
  echoTimes(): number[] {
    return [...this.process.output().matchAll(/^echo \d+ (\d+)$/gm)].map((m) => Number(m[1]))
  }

  lastEchoAt(): number {
    return this.echoTimes().at(-1) ?? 0
  }

  /** Lines about the connection ending (closed, error), if it did. */
  ended(): string | null {
    return /^(closed|error).*$/m.exec(this.process.output())?.[0] ?? null
  }

  tail(): string {
    return this.process.tail(5)
  }

  close(): Promise<void> {
    return this.process.stop('SIGTERM')
  }
}
