/** The dashboard's button, in a few tones; `type` defaults to "button" so it never submits a form by accident. */
import type { ButtonHTMLAttributes, Ref } from 'react'

type Tone = 'primary' | 'secondary' | 'danger' | 'ghost'
type Size = 'sm' | 'md'

const base =
  'inline-flex items-center justify-center gap-1.5 rounded-md font-medium whitespace-nowrap transition-colors ' +
  'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2 ' +
  'focus-visible:ring-offset-white dark:focus-visible:ring-offset-zinc-900 ' +
  'disabled:cursor-not-allowed disabled:opacity-50'

const tones: Record<Tone, string> = {
  primary:
    'bg-zinc-900 text-white shadow-sm hover:bg-zinc-700 disabled:hover:bg-zinc-900 ' +
    'dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-white dark:disabled:hover:bg-zinc-100',
  secondary:
    'border border-zinc-300 bg-white text-zinc-800 shadow-sm hover:bg-zinc-50 disabled:hover:bg-white ' +
    'dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800 dark:disabled:hover:bg-zinc-900',
  danger: 'bg-red-600 text-white shadow-sm hover:bg-red-500 disabled:hover:bg-red-600',
  ghost:
    'text-zinc-700 hover:bg-zinc-100 hover:text-zinc-900 disabled:hover:bg-transparent ' +
    'dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-white',
}

const sizes: Record<Size, string> = {
  sm: 'h-8 px-2.5 text-sm',
  md: 'h-9 px-3.5 text-sm',
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  tone?: Tone
  size?: Size
  ref?: Ref<HTMLButtonElement>
  /** Shows a spinner and disables the button while a request it started is running. */
  pending?: boolean
}

export function Button({
  tone = 'secondary',
  size = 'md',
  pending = false,
  type = 'button',
  className = '',
  disabled,
  children,
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type}
      className={`${base} ${tones[tone]} ${sizes[size]} ${className}`}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
      {...rest}
    >
      {pending && <Spinner />}
      {children}
    </button>
  )
}

export function Spinner({ className = 'size-3.5' }: { className?: string }) {
  return (
    <svg className={`animate-spin ${className}`} viewBox="0 0 24 24" fill="none" aria-hidden="true">
      <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.25" strokeWidth="3" />
      <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
    </svg>
  )
}
