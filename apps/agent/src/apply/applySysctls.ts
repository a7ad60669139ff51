/** Sets kernel settings through /proc/sys, writing only those that differ. Returns the keys it changed. */
import type { Sysctl } from '../render/renderSysctls.ts'
import type { HostFiles } from './hostFiles.ts'

export async function applySysctls(files: HostFiles, sysctls: readonly Sysctl[]): Promise<string[]> {
  const changed: string[] = []
  for (const { key, value } of sysctls) {
    const path = `/proc/sys/${key}`
    const current = await files.read(path)
    if (current === null) throw new Error(`cannot set ${key.replaceAll('/', '.')}: ${path} does not exist`)
    if (current.trim() === value) continue
    await files.write(path, `${value}\n`)
    changed.push(key)
  }
  return changed
}
