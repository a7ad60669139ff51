/**
 * Table parts with the dashboard's spacing and borders; every part passes other props through (data-*, aria-*).
 * Text colour is set once on the table so a row or cell can override it by class.
 */
import type { HTMLAttributes, TdHTMLAttributes, ThHTMLAttributes } from 'react'

export function Table({ className = '', children, ...rest }: HTMLAttributes<HTMLTableElement>) {
  return (
    <div className="relative overflow-x-auto rounded-lg border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <table
        className={`min-w-full divide-y divide-zinc-200 text-sm text-zinc-800 dark:divide-zinc-800 dark:text-zinc-200 ${className}`}
        {...rest}
      >
        {children}
      </table>
    </div>
  )
}

export function THead({ children, ...rest }: HTMLAttributes<HTMLTableSectionElement>) {
  return (
    <thead className="bg-zinc-50 dark:bg-zinc-900/60" {...rest}>
      {children}
    </thead>
  )
}

export function TBody({ children, ...rest }: HTMLAttributes<HTMLTableSectionElement>) {
  return (
    <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800" {...rest}>
      {children}
    </tbody>
  )
}

export function Tr({ className = '', children, ...rest }: HTMLAttributes<HTMLTableRowElement>) {
  return (
    <tr className={`hover:bg-zinc-50/70 dark:hover:bg-zinc-800/40 ${className}`} {...rest}>
      {children}
    </tr>
  )
}

export function Th({ className = '', children, ...rest }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope="col"
      className={`px-4 py-2.5 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-zinc-500 dark:text-zinc-400 ${className}`}
      {...rest}
    >
      {children}
    </th>
  )
}

export function Td({ className = '', children, ...rest }: TdHTMLAttributes<HTMLTableCellElement>) {
  return (
    <td className={`px-4 py-3 align-middle ${className}`} {...rest}>
      {children}
    </td>
  )
}
