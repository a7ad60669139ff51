/** `GET /api/version`: the server's version and the newest agent it serves per architecture, for agents and scripts. */
import { VersionInfo } from '@wirewarp/protocol'
import type { AppContext } from '../http/context.ts'
import type { App } from '../http/types.ts'

export function versionRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/version',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['releases'],
        summary: 'Server version, and the newest agent version this server offers per architecture',
        response: { 200: VersionInfo },
      },
    },
    async () => ({ server: ctx.version, agents: (await ctx.releases.current()).agents }),
  )
}
