/** Service templates: the built-ins and custom ones an admin adds, changes or deletes. */
import {
  ErrorBody,
  IdParams,
  Page,
  PageQuery,
  ServiceTemplate,
  ServiceTemplateCreate,
  ServiceTemplateUpdate,
} from '@wirewarp/protocol'
import { z } from 'zod'
import { notFound, templateBuiltin, templateNameTaken } from '../errors.ts'
import { actorOf } from '../http/authenticate.ts'
import type { AppContext } from '../http/context.ts'
import { change } from '../http/mutate.ts'
import type { App } from '../http/types.ts'
import { writeAudit } from '../store/auditLog.ts'
import {
  deleteServiceTemplate,
  findServiceTemplateByName,
  getServiceTemplate,
  insertServiceTemplate,
  listServiceTemplates,
  toServiceTemplate,
  updateServiceTemplate,
} from '../store/serviceTemplates.ts'

const tags = ['service-templates']

export function serviceTemplateRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/service-templates',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'List service templates, built-ins first',
        querystring: PageQuery,
        response: { 200: Page(ServiceTemplate) },
      },
    },
    async (request) => listServiceTemplates(ctx.db, request.query),
  )

  app.post(
    '/api/v1/service-templates',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Create a custom service template',
        body: ServiceTemplateCreate,
        response: { 201: ServiceTemplate, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const b = request.body
      const row = await change(ctx, request, async ({ db: trx }) => {
        if (await findServiceTemplateByName(trx, b.name)) throw templateNameTaken(b.name)
        const row = await insertServiceTemplate(trx, { ...b, builtin: false })
        await writeAudit(trx, actorOf(request), 'service_template.create', { type: 'service_template', id: row.id }, b)
        return row
      })
      return reply.status(201).send(toServiceTemplate(row))
    },
  )

  app.patch(
    '/api/v1/service-templates/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Change a custom service template (forwards made from it stay as they are)',
        params: IdParams,
        body: ServiceTemplateUpdate,
        response: { 200: ServiceTemplate, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const b = request.body
      const row = await change(ctx, request, async ({ db: trx }) => {
        const t = await getServiceTemplate(trx, request.params.id)
        if (!t) throw notFound('Service template')
        // Built-ins are refreshed from the code on every start; an edit would not last.
        if (t.builtin) throw templateBuiltin(t.name, 'changed')
        if (b.name !== undefined) {
          const same = await findServiceTemplateByName(trx, b.name)
          if (same && same.id !== t.id) throw templateNameTaken(b.name)
        }
        const row = (await updateServiceTemplate(trx, t.id, b))!
        await writeAudit(
          trx,
          actorOf(request),
          'service_template.update',
          { type: 'service_template', id: t.id },
          { name: row.name, ...b },
        )
        return row
      })
      return toServiceTemplate(row)
    },
  )

  app.delete(
    '/api/v1/service-templates/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Delete a custom service template',
        params: IdParams,
        response: { 204: z.null(), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      await change(ctx, request, async ({ db: trx }) => {
        const t = await getServiceTemplate(trx, request.params.id)
        if (!t) throw notFound('Service template')
        if (t.builtin) throw templateBuiltin(t.name)
        await deleteServiceTemplate(trx, t.id)
        await writeAudit(
          trx,
          actorOf(request),
          'service_template.delete',
          { type: 'service_template', id: t.id },
          { name: t.name },
        )
      })
      return reply.status(204).send(null)
    },
  )
}
