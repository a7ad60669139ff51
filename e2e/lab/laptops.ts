/**
 * A laptop on the lab's internet (LAPTOP_TOPOLOGY) running a VPN device's downloaded config the
 * way a person does: the stock `wg-quick up FILE`, with wireguard-go as the userspace WireGuard
 * (no kernel module here) and, like every lab host, its own folder on /var/run/wireguard.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { onLabHost } from './labAgents.ts'
import type { LabDir } from './labDir.ts'
import { run } from './run.ts'
import type { Namespace } from './topology.ts'

/** wg-quick names the interface after the file: at most 15 characters of [A-Za-z0-9_=+.-]. */
const INTERFACE_NAME = /^[A-Za-z0-9_=+.-]{1,15}$/

export class Laptop {
  readonly wireguardDir: string
  readonly configFile: string

  constructor(
    dir: LabDir,
    readonly ns: Namespace,
    readonly iface: string,
  ) {
    if (!INTERFACE_NAME.test(iface)) throw new Error(`"${iface}" cannot be a wg-quick interface name`)
    this.wireguardDir = dir.wireguardDir(ns)
    this.configFile = path.join(dir.root, 'laptops', ns, `${iface}.conf`)
  }

  onHost(argv: readonly string[]): string[] {
    return onLabHost(this.ns, this.wireguardDir, argv)
  }

  /** Saves the config (0600, as wg-quick wants) and runs `wg-quick up` on it; wg-quick's log. */
  async up(config: string): Promise<string> {
    mkdirSync(this.wireguardDir, { recursive: true, mode: 0o700 })
    mkdirSync(path.dirname(this.configFile), { recursive: true, mode: 0o700 })
    writeFileSync(this.configFile, config, { mode: 0o600 })
    // wireguard-go daemonizes; without LOG_LEVEL its daemon writes to /dev/null, not to our pipe.
    return run(
      this.onHost([
        'env',
        '-u',
        'LOG_LEVEL',
        'WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go',
        'wg-quick',
        'up',
        this.configFile,
      ]),
    )
  }

  wg(args: readonly string[]): Promise<string> {
    return run(this.onHost(['wg', ...args]))
  }

  ip(args: readonly string[]): Promise<string> {
    return run(['ip', '-n', this.ns, ...args])
  }
}
