/** The audit log, for admins: paginated, newest first, filterable. */
import { AuditEntry, AuditQuery, Page } from '@wirewarp/protocol'
import type { AppContext } from '../http/context.ts'
import type { App } from '../http/types.ts'
import { listAudit } from '../store/auditLog.ts'

export function auditLogRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/audit-log',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['audit-log'],
        summary: 'List audit entries, newest first; filter by actor, action, target and time',
        querystring: AuditQuery,
        response: { 200: Page(AuditEntry) },
      },
    },
    async (request) => listAudit(ctx.db, request.query),
  )
}
