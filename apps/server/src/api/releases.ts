/**
 * Downloads for hosts being installed: the agent bundle with its SHA-256, and the install
 * scripts the dashboard's install command pipes into sh. Public: a host has no credentials yet,
 * and nothing here is secret.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { releaseMissing } from '../errors.ts'
import type { AppContext } from '../http/context.ts'
import type { App } from '../http/types.ts'
import { renderInstallScript } from '../install/installScript.ts'

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

  for (const mode of ['server', 'client'] as const)
    app.get(
      `/install/${mode}`,
      {
        config: { auth: 'public' },
        schema: {
          tags: ['releases'],
          summary: `Install script for a ${mode} agent: curl -fsSL URL/install/${mode} | sudo sh -s -- --url URL --token TOKEN`,
        },
      },
      async (_request, reply) => reply.type('text/x-shellscript; charset=utf-8').send(renderInstallScript(mode)),
    )
}
