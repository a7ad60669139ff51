/** Service templates: the built-in ones, and custom ones an admin adds, edits or deletes. */
import type { ServiceTemplate } from '@wirewarp/protocol'
import { useState } from 'react'
import { useDeleteServiceTemplate, useServiceTemplates } from '../../api/serviceTemplates.ts'
import { Badge } from '../../components/Badge.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { LoadError, Loading } from '../../components/QueryStatus.tsx'
import { Table, TBody, Td, THead, Th, Tr } from '../../components/Table.tsx'
import { formatPortRange } from '../portForwards/formatForward.ts'
import { TemplateFormDialog } from './TemplateFormDialog.tsx'

export function ServiceTemplatesPage() {
  const templates = useServiceTemplates()
  // null: closed; 'new': creating one; a template: editing it.
  const [editing, setEditing] = useState<ServiceTemplate | 'new' | null>(null)
  const [deleting, setDeleting] = useState<ServiceTemplate | null>(null)
  const remove = useDeleteServiceTemplate()

  return (
    <>
      <PageHeader
        title="Service templates"
        description="Sets of ports that a service needs, to create its forwards in one step."
        actions={
          <Button tone="primary" onClick={() => setEditing('new')}>
            New template
          </Button>
        }
      />
      {templates.isPending ? (
        <Loading />
      ) : templates.isError ? (
        <LoadError error={templates.error} onRetry={() => templates.refetch()} />
      ) : templates.data.items.length === 0 ? (
        <EmptyState title="No templates" />
      ) : (
        <Table>
          <THead>
            <tr>
              <Th>Name</Th>
              <Th>Ports</Th>
              <Th>Description</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </THead>
          <TBody>
            {templates.data.items.map((t) => (
              <Tr key={t.id} data-testid="template-row" data-template-id={t.id}>
                <Td className="font-medium whitespace-nowrap">
                  {t.name}
                  {t.builtin && (
                    <span className="ml-2">
                      <Badge tone="sky">Built-in</Badge>
                    </span>
                  )}
                </Td>
                <Td>
                  <ul className="flex flex-wrap gap-1.5">
                    {t.ports.map((p) => (
                      <li key={`${p.protocol}-${p.port}-${p.portEnd ?? ''}`}>
                        <Badge>
                          {p.protocol} {formatPortRange(p.port, p.portEnd)}
                        </Badge>
                      </li>
                    ))}
                  </ul>
                </Td>
                <Td className="min-w-56 text-zinc-600 dark:text-zinc-400">{t.description}</Td>
                <Td className="text-right">
                  {!t.builtin && (
                    <span className="inline-flex gap-1">
                      <Button size="sm" tone="ghost" aria-label={`Edit ${t.name}`} onClick={() => setEditing(t)}>
                        Edit
                      </Button>
                      <Button size="sm" tone="ghost" aria-label={`Delete ${t.name}`} onClick={() => setDeleting(t)}>
                        Delete
                      </Button>
                    </span>
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}

      <TemplateFormDialog
        open={editing !== null}
        template={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this template?"
        confirmLabel="Delete template"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null)
          remove.reset()
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        <p>
          <strong>{deleting?.name}</strong> disappears from the template list. Forwards already created from it stay as
          they are.
        </p>
      </ConfirmDialog>
    </>
  )
}
