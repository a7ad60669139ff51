/**
 * The host files the linux driver reads and writes (sysctls under /proc/sys, /proc/net/if_inet6,
 * /sys/module), behind a small interface: unit tests stand in for them, and a test in a network
 * namespace reaches that namespace's /proc/sys through its command runner.
 */
import { access, readFile, writeFile } from 'node:fs/promises'

export interface HostFiles {
  /** The file's text; null when it does not exist. */
  read(path: string): Promise<string | null>
  write(path: string, text: string): Promise<void>
  exists(path: string): Promise<boolean>
}

export const nodeHostFiles: HostFiles = {
  read: (path) =>
    readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null
      throw new Error(`cannot read ${path}: ${err.message}`)
    }),
  write: (path, text) =>
    writeFile(path, text).catch((err: Error) => {
      throw new Error(`cannot write ${path}: ${err.message}`)
    }),
  exists: (path) =>
    access(path).then(
      () => true,
      () => false,
    ),
}
