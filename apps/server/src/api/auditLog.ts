/** The audit log, for admins: paginated, newest first, filterable; and the actions it can hold. */
import { AuditActions, AuditEntry, AuditQuery, Page } from '@wirewarp/protocol'
import { z } from 'zod'
import type { AppContext } from '../http/context.ts'
import type { App } from '../http/types.ts'
import { listAudit, listAuditActions } from '../store/auditLog.ts'

export function auditLogRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/audit-log',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['audit-log'],
        summary:
          'List audit entries, newest first, with actors and targets by name; text filters match prefixes, ignoring case',
        querystring: AuditQuery,
        response: { 200: Page(AuditEntry) },
      },
    },
    async (request) => listAudit(ctx.db, request.query),
  )

  app.get(
    '/api/v1/audit-log/actions',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['audit-log'],
        summary: 'List the actions an audit entry can have, for a filter picker',
        querystring: z.strictObject({}),
        response: { 200: AuditActions },
      },
    },
    async () => ({ items: await listAuditActions(ctx.db) }),
  )
}
