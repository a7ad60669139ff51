/**
 * Downloads for hosts being installed and agents updating: the release catalogue's manifest,
 * SHA256SUMS and files (streamed from disk), the 0.1.0 bundle routes, and the install scripts
 * the dashboard's install command pipes into sh. Public: a host has no credentials yet, and
 * nothing here is secret.
 */
import { createHash } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import { ReleaseManifest } from '@wirewarp/protocol'
import type { FastifyReply } from 'fastify'
import { z } from 'zod'
import { releaseChanged, releaseMissing, releaseNotFound } from '../errors.ts'
import type { AppContext } from '../http/context.ts'
import type { App } from '../http/types.ts'
import { renderInstallScript } from '../install/installScript.ts'
import { sameIdentity } from '../releases/hashFile.ts'
import type { ReleaseCatalogue, ServedFile } from '../releases/releaseCatalogue.ts'

/** sha256sum's format, which `sha256sum -c` and the POSIX install script read without JSON. */
const sha256sums = (files: Iterable<ServedFile>) => [...files].map((f) => `${f.sha256}  ${f.name}\n`).join('')

/**
 * Streams one release file, never read whole into memory. The open file must still be the one
 * whose SHA-256 was checked (size, mtime, inode); otherwise it is refused and the catalogue
 * rescans. HEAD answers the same headers without reading the file.
 */
async function sendReleaseFile(
  reply: FastifyReply,
  releases: ReleaseCatalogue,
  file: ServedFile,
  head: boolean,
): Promise<FastifyReply> {
  const handle = await open(file.path).catch(() => undefined)
  const st = await handle?.stat().catch(() => undefined)
  if (!handle || !st || !sameIdentity({ size: st.size, mtimeMs: st.mtimeMs, ino: st.ino }, file.identity)) {
    await handle?.close()
    releases.invalidate()
    throw releaseChanged(file.name)
  }
  reply
    .type('application/octet-stream')
    .header('content-length', String(file.size))
    .header('x-content-sha256', file.sha256)
    .header('x-release-version', file.version)
    .header('content-disposition', `attachment; filename="${file.name}"`)
    // The name stays while the bytes behind it change with each new release.
    .header('cache-control', 'no-cache')
  if (head) {
    await handle.close()
    return reply.send()
  }
  return reply.send(handle.createReadStream())
}

export function releaseRoutes(app: App, ctx: AppContext, bundlePath: string): void {
  let cached: { body: Buffer; sha256: string } | undefined

  // Read once and kept: the bundle is about a megabyte and every install fetches it.
  const bundle = async () => {
    try {
      if (!cached) {
        const body = await readFile(bundlePath)
        cached = { body, sha256: createHash('sha256').update(body).digest('hex') }
      }
      return cached
    } catch {
      throw releaseMissing()
    }
  }

  app.get(
    '/releases/wirewarp-agent.js',
    {
      config: { auth: 'public' },
      schema: { tags: ['releases'], summary: 'The agent, one JavaScript file for Node.js ≥ 20' },
    },
    async (_request, reply) => {
      const b = await bundle()
      return reply.type('text/javascript; charset=utf-8').header('x-content-sha256', b.sha256).send(b.body)
    },
  )

  app.get(
    '/releases/wirewarp-agent.js.sha256',
    {
      config: { auth: 'public' },
      schema: { tags: ['releases'], summary: 'SHA-256 of the agent, in sha256sum format' },
    },
    async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').send(`${(await bundle()).sha256}  wirewarp-agent.js\n`),
  )

  app.get(
    '/releases/latest.json',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['releases'],
        summary: 'The agent version this server ships and its checksum',
        response: { 200: z.object({ version: z.string(), sha256: z.string(), url: z.string() }) },
      },
    },
    async () => ({ version: ctx.version, sha256: (await bundle()).sha256, url: '/releases/wirewarp-agent.js' }),
  )

  app.get(
    '/releases/manifest.json',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['releases'],
        summary:
          'The newest agent file per architecture and libc, each with version, size and SHA-256; download each at /releases/{name}',
        response: { 200: ReleaseManifest },
      },
    },
    async (_request, reply) => {
      const { latest } = await ctx.releases.current()
      if (!latest) throw releaseNotFound('An agent release')
      return reply.header('cache-control', 'no-cache').send(latest.manifest)
    },
  )

  app.get(
    '/releases/SHA256SUMS',
    {
      config: { auth: 'public' },
      schema: { tags: ['releases'], summary: 'SHA-256 of the files in /releases/manifest.json, in sha256sum format' },
    },
    async (_request, reply) => {
      const { latest } = await ctx.releases.current()
      if (!latest) throw releaseNotFound('An agent release')
      return reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(sha256sums(latest.files.values()))
    },
  )

  app.route({
    method: ['GET', 'HEAD'],
    url: '/releases/:name',
    config: { auth: 'public' },
    schema: {
      tags: ['releases'],
      summary: 'A file of /releases/manifest.json (the newest for its architecture), streamed',
      params: z.object({ name: z.string() }),
    },
    handler: async (request, reply) => {
      // Looked up by name, never joined into a path: `../x`, `/etc/passwd` are simply unknown.
      const file = (await ctx.releases.current()).latest?.files.get(request.params.name)
      if (!file) throw releaseNotFound(`A file named ${JSON.stringify(request.params.name)}`)
      return sendReleaseFile(reply, ctx.releases, file, request.method === 'HEAD')
    },
  })

  app.route({
    method: ['GET', 'HEAD'],
    url: '/releases/:version/:name',
    config: { auth: 'public' },
    schema: {
      tags: ['releases'],
      summary: 'A file of one agent version, streamed; manifest.json and SHA256SUMS describe that version',
      params: z.object({ version: z.string(), name: z.string() }),
    },
    handler: async (request, reply) => {
      const { version, name } = request.params
      const release = (await ctx.releases.current()).releases.get(version)
      if (!release) throw releaseNotFound(`Agent version ${JSON.stringify(version)}`)
      if (name === 'manifest.json') return reply.header('cache-control', 'no-cache').send(release.manifest)
      if (name === 'SHA256SUMS') return reply.type('text/plain; charset=utf-8').send(sha256sums(release.files.values()))
      const file = release.files.get(name)
      if (!file) throw releaseNotFound(`A file named ${JSON.stringify(name)} in version ${version}`)
      return sendReleaseFile(reply, ctx.releases, file, request.method === 'HEAD')
    },
  })

  for (const mode of ['server', 'client'] as const)
    app.get(
      `/install/${mode}`,
      {
        config: { auth: 'public' },
        schema: {
          tags: ['releases'],
          summary: `Install script for a ${mode} agent: curl -fsSL URL/install/${mode} | sh -s -- --url URL --token TOKEN (as root, or it re-runs itself through sudo or doas)`,
        },
      },
      async (_request, reply) => reply.type('text/x-shellscript; charset=utf-8').send(renderInstallScript(mode)),
    )
}
