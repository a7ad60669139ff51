/**
 * Brings a WireGuard interface's key, port and peers to the desired state: compares with
 * `wg show dump`, then runs nothing, one `wg set`, or `wg syncconf` with the whole config.
 *
 * The config holds the private key, so it never goes into argv. It cannot go on stdin either:
 * `wg` fopen()s the path it is given, and Node connects a child's stdin through a socket, which
 * /dev/stdin cannot be opened on (ENXIO). So it is written to a 0600 file in the state
 * directory, beside `private.key` which holds the same secret, and removed right after.
 */
import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { WgInterfaceState } from '@wirewarp/protocol'
import type { Run } from '../exec/run.ts'
import { renderWgConf } from '../render/renderWgConf.ts'
import { writeFileAtomic } from '../writeFileAtomic.ts'
import { planWgUpdate, type WgUpdate } from './planWgUpdate.ts'
import { parseWgDump } from './wgDump.ts'

export const SYNCCONF_FILE = 'wg-syncconf.conf'

export async function applyWgConfig(
  run: Run,
  wg: WgInterfaceState,
  privateKey: string,
  stateDir: string,
): Promise<WgUpdate['kind']> {
  const dump = parseWgDump(await run(['wg', 'show', wg.name, 'dump']))
  const plan = planWgUpdate(wg, privateKey, dump)
  if (plan.kind === 'set') await run(plan.argv)
  else if (plan.kind === 'syncconf') {
    const file = path.join(stateDir, SYNCCONF_FILE)
    await writeFileAtomic(file, renderWgConf(wg, privateKey), { mode: 0o600 })
    try {
      await run(['wg', 'syncconf', wg.name, file])
    } catch (err) {
      // `wg` quotes a key it cannot parse; the error goes to the server and the dashboard.
      throw new Error((err as Error).message.replaceAll(privateKey, '[private key]'))
    } finally {
      await rm(file, { force: true })
    }
  }
  return plan.kind
}
