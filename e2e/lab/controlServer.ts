/**
 * The lab's control server: the built server (apps/server/dist/main.js) as its own process in
 * the root namespace, on a fresh SQLite data directory. Agents reach it through the lab at
 * 203.0.113.254; tests and people use 127.0.0.1. It can be stopped and started again on the
 * same port and data, like a server that goes down for a while.
 */
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LabDir } from './labDir.ts'
import { LabProcess } from './labProcess.ts'
import { ADDRESSES } from './topology.ts'
import { waitUntil } from './waitUntil.ts'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const SERVER_MAIN = path.join(REPO_ROOT, 'apps/server/dist/main.js')

export interface AdminCredentials {
  email: string
  password: string
}

/** A port that is free now on every address (the server binds 0.0.0.0). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '0.0.0.0', () => {
      const address = s.address()
      s.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) })
    await res.body?.cancel()
    return res.status === 200
  } catch {
    return false
  }
}

export class ControlServer {
  #process: LabProcess | undefined

  private constructor(
    private readonly dir: LabDir,
    readonly port: number,
    readonly admin: AdminCredentials,
  ) {}

  /** Starts a server on a free port; resolves once /api/health answers. */
  static async start(dir: LabDir, admin: AdminCredentials): Promise<ControlServer> {
    const server = new ControlServer(dir, await freePort(), admin)
    await server.start()
    return server
  }

  /** For tests and people, from the root namespace. */
  get localUrl(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** For agents, from inside the lab. */
  get agentUrl(): string {
    return `http://${ADDRESSES.controlServer}:${this.port}`
  }

  get running(): boolean {
    return this.#process?.running ?? false
  }

  async start(): Promise<void> {
    if (this.running) return
    mkdirSync(this.dir.serverDataDir, { recursive: true, mode: 0o700 })
    // Only what the server needs: a DATABASE_URL from the caller's shell must not leak in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(this.port),
      HOST: '0.0.0.0',
      WIREWARP_DATA_DIR: this.dir.serverDataDir,
      WIREWARP_ADMIN_EMAIL: this.admin.email,
      WIREWARP_ADMIN_PASSWORD: this.admin.password,
      WIREWARP_PUBLIC_URL: this.agentUrl,
      LOG_LEVEL: 'info',
    }
    const p = LabProcess.start(this.dir, 'control-server', [process.execPath, SERVER_MAIN], env)
    this.#process = p
    await waitUntil(
      async () => {
        if (!p.running) throw new Error(`the control server exited at start:\n${p.tail()}`)
        return healthy(this.localUrl)
      },
      { timeoutMs: 30_000, what: `${this.localUrl}/api/health`, detail: () => p.tail() },
    )
  }

  async stop(): Promise<void> {
    await this.#process?.stop('SIGTERM')
  }
}
