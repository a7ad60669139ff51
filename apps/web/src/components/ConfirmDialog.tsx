/** Asks before an action that cannot be undone, and shows why it failed if the server refuses. */
import type { ReactNode } from 'react'
import { Alert } from './Alert.tsx'
import { Button } from './Button.tsx'
import { Dialog, DialogFooter } from './Dialog.tsx'

interface ConfirmDialogProps {
  open: boolean
  title: ReactNode
  children: ReactNode
  confirmLabel: string
  onConfirm: () => void
  onClose: () => void
  pending?: boolean
  error?: Error | null
}

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  pending = false,
  error,
}: ConfirmDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} title={title}>
      <div className="space-y-3 text-sm text-zinc-700 dark:text-zinc-300">
        {children}
        {error && <Alert>{error.message}</Alert>}
      </div>
      <DialogFooter>
        <Button onClick={onClose} disabled={pending}>
          Cancel
        </Button>
        <Button tone="danger" onClick={onConfirm} pending={pending}>
          {confirmLabel}
        </Button>
      </DialogFooter>
    </Dialog>
  )
}
