/**
 * Where the lab keeps its files: one directory (default /tmp/wirewarp-lab) holding pid files,
 * logs, the control server's data, each agent's config and state, and the lab's handles, so a
 * later `down` in another process finds everything `up` started.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export const DEFAULT_LAB_DIR = '/tmp/wirewarp-lab'
// Written by `create`; `remove` refuses a directory without it, so a mistyped
// WIREWARP_LAB_DIR can never make `down` delete someone else's files.
const MARKER = '.wirewarp-lab'

export class LabDir {
  constructor(readonly root: string = process.env.WIREWARP_LAB_DIR || DEFAULT_LAB_DIR) {}

  get pidDir(): string {
    return path.join(this.root, 'pids')
  }
  get logDir(): string {
    return path.join(this.root, 'logs')
  }
  get serverDataDir(): string {
    return path.join(this.root, 'server-data')
  }
  /** JSON the CLI writes after `up` (URL, credentials, ids) for people and for `down`. */
  get handlesFile(): string {
    return path.join(this.root, 'lab.json')
  }
  pidFile(name: string): string {
    return path.join(this.pidDir, `${name}.json`)
  }
  logFile(name: string): string {
    return path.join(this.logDir, `${name}.log`)
  }
  agentDir(name: string): string {
    return path.join(this.root, 'agents', name)
  }
  /** Bind-mounted over /var/run/wireguard for every process of that host (see labAgents.ts). */
  wireguardDir(ns: string): string {
    return path.join(this.root, 'wireguard', ns)
  }

  create(): void {
    for (const d of [this.root, this.pidDir, this.logDir]) mkdirSync(d, { recursive: true, mode: 0o700 })
    writeFileSync(path.join(this.root, MARKER), '')
  }

  exists(): boolean {
    return existsSync(path.join(this.root, MARKER))
  }

  remove(): void {
    if (this.exists()) rmSync(this.root, { recursive: true, force: true })
  }
}
