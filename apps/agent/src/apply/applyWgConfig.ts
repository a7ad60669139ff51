/**
 * Brings a WireGuard interface's key, port and peers (devices with their preshared keys
 * included) to the desired config: compares with `wg show dump`, then runs nothing, one
 * `wg set`, or `wg syncconf` with the whole config.
 *
 * Keys never go into argv. They cannot go on stdin either: `wg` fopen()s the path it is given,
 * and Node connects a child's stdin through a socket, which /dev/stdin cannot be opened on
 * (ENXIO). So the syncconf config is written to a 0600 file in the state directory, beside
 * `private.key` which holds the same secret, and a `wg set`'s preshared keys to 0600 files in a
 * 0700 directory there; both are removed right after the command.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Run } from '../exec/run.ts'
import { renderWgConf } from '../render/renderWgConf.ts'
import type { WgConfig } from '../render/wantedWgPeers.ts'
import { writeFileAtomic } from '../writeFileAtomic.ts'
import { type KeyFile, planWgUpdate, type WgUpdate } from './planWgUpdate.ts'
import { parseWgDump } from './wgDump.ts'

export const SYNCCONF_FILE = 'wg-syncconf.conf'
/** Preshared-key files of one `wg set`; present only while it runs. */
export const KEY_DIR = 'wg-keys'

/** `wg` quotes a key it cannot parse; the error goes to the server and the dashboard. */
function withoutSecrets(err: unknown, secrets: readonly string[]): Error {
  let message = (err as Error).message
  for (const s of secrets) message = message.replaceAll(s, '[key]')
  return new Error(message)
}

/** Runs one `wg set`, its preshared keys in 0600 files of a fresh 0700 directory, removed after. */
export async function runWgSet(
  run: Run,
  argv: string[],
  keyFiles: readonly KeyFile[],
  keyDir: string,
  secrets: readonly string[],
): Promise<void> {
  if (keyFiles.length === 0) {
    await run(argv).catch((err) => {
      throw withoutSecrets(err, secrets)
    })
    return
  }
  try {
    // A directory left by a crash may hold old keys: start from nothing.
    await rm(keyDir, { recursive: true, force: true })
    await mkdir(keyDir, { mode: 0o700 })
    for (const f of keyFiles) await writeFile(f.path, `${f.key}\n`, { mode: 0o600, flag: 'wx' })
    await run(argv)
  } catch (err) {
    throw withoutSecrets(err, secrets)
  } finally {
    await rm(keyDir, { recursive: true, force: true })
  }
}

export async function applyWgConfig(
  run: Run,
  wg: WgConfig,
  privateKey: string,
  stateDir: string,
): Promise<WgUpdate['kind']> {
  const dump = parseWgDump(await run(['wg', 'show', wg.name, 'dump']))
  const keyDir = path.join(stateDir, KEY_DIR)
  const plan = planWgUpdate(wg, privateKey, dump, keyDir)
  const secrets = [privateKey, ...wg.peers.flatMap((p) => (p.presharedKey ? [p.presharedKey] : []))]
  if (plan.kind === 'set') await runWgSet(run, plan.argv, plan.keyFiles, keyDir, secrets)
  else if (plan.kind === 'syncconf') {
    const file = path.join(stateDir, SYNCCONF_FILE)
    await writeFileAtomic(file, renderWgConf(wg, privateKey), { mode: 0o600 })
    try {
      await run(['wg', 'syncconf', wg.name, file])
    } catch (err) {
      throw withoutSecrets(err, secrets)
    } finally {
      await rm(file, { force: true })
    }
  }
  return plan.kind
}
