/**
 * The driver that configures a real Linux host (WireGuard, nftables, routing). NOT IMPLEMENTED in
 * this version: it is the next milestone. Until then, choosing it stops `run` at start with a
 * clear message rather than pretending to apply anything.
 */
import { DriverUnavailable } from './driver.ts'

export const LINUX_DRIVER_MISSING = 'the linux driver is not in this version yet; set driver: recording'

export function createLinuxDriver(): never {
  throw new DriverUnavailable(LINUX_DRIVER_MISSING)
}
