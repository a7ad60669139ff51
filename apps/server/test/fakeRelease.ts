/**
 * A fake agent release for self-update tests: a temporary WIREWARP_RELEASES_DIR holding version
 * NEW with a tiny file per build (linux-x64, linux-arm64, the .mjs bundle) and its manifest.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ReleaseManifest } from '@wirewarp/protocol'

export const NEW = '99.0.0'
export const sha256 = (b: string) => createHash('sha256').update(b).digest('hex')

export const FAKE_RELEASE_FILES = [
  { name: 'wirewarp-agent-linux-x64', arch: 'x64', libc: 'glibc', content: `agent ${NEW} x64\n` },
  { name: 'wirewarp-agent-linux-arm64', arch: 'arm64', libc: 'glibc', content: `agent ${NEW} arm64 build\n` },
  { name: 'wirewarp-agent.mjs', arch: 'any', libc: 'any', content: `// agent ${NEW} bundle\n` },
] as const

/** Writes the release into a new temporary directory and returns it (the caller removes it). */
export function writeFakeRelease(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'wirewarp-update-releases-'))
  const at = path.join(root, NEW)
  mkdirSync(at, { recursive: true })
  for (const f of FAKE_RELEASE_FILES) writeFileSync(path.join(at, f.name), f.content)
  const manifest: ReleaseManifest = {
    version: NEW,
    builtAt: '2026-12-01T00:00:00.000Z',
    node: '24.22.3',
    files: FAKE_RELEASE_FILES.map((f) => ({
      name: f.name,
      version: NEW,
      arch: f.arch,
      platform: 'linux',
      libc: f.libc,
      size: Buffer.byteLength(f.content),
      sha256: sha256(f.content),
    })),
  }
  writeFileSync(path.join(at, 'manifest.json'), JSON.stringify(manifest))
  return root
}
