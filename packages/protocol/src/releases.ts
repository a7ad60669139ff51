/**
 * The release manifest: `manifest.json` next to the agent builds in a releases directory, written
 * by `npm run build:release` (scripts/release/buildRelease.ts) and read by the server.
 */
import { z } from 'zod'

/** A semantic version as the agent prints it with `--version`: 1.2.3, 1.2.3-rc.1. */
export const ReleaseVersion = z
  .string({ error: 'Must be a text' })
  .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, { error: 'Must be a version like 1.2.3' })

/** `any`: the `.mjs` bundle, which runs on any CPU with the host's Node (Alpine, musl). */
export const ReleaseArch = z.enum(['x64', 'arm64', 'any'])
/** `glibc`: a single executable embedding Node, which links glibc ≥ 2.28 and libstdc++. */
export const ReleaseLibc = z.enum(['glibc', 'any'])

export const ReleaseFile = z.strictObject({
  /** A plain file name in the releases directory, never a path. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { error: 'Must be a file name without a directory' }),
  version: ReleaseVersion,
  arch: ReleaseArch,
  platform: z.literal('linux'),
  libc: ReleaseLibc,
  size: z.int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'Must be a SHA-256 in lowercase hex' }),
})
export type ReleaseFile = z.infer<typeof ReleaseFile>

export const ReleaseManifest = z.strictObject({
  /** The agent version of every file in this release. */
  version: ReleaseVersion,
  builtAt: z.iso.datetime(),
  /** The Node version embedded in the executables, e.g. `24.22.3`. */
  node: ReleaseVersion,
  files: z.array(ReleaseFile).min(1).max(64),
})
export type ReleaseManifest = z.infer<typeof ReleaseManifest>

/** `GET /api/version`: this server's version and, per architecture, the newest agent it serves. */
export const VersionInfo = z.strictObject({
  server: z.string(),
  /** Absent for an architecture no release serves; `any` is the `.mjs` bundle for the host's Node. */
  agents: z.strictObject({
    x64: ReleaseVersion.optional(),
    arm64: ReleaseVersion.optional(),
    any: ReleaseVersion.optional(),
  }),
})
export type VersionInfo = z.infer<typeof VersionInfo>
