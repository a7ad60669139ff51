/** The WireWarp mark, drawn in the current colour scheme. */

export function Logo({ className = 'size-6' }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" className="fill-zinc-900 dark:fill-zinc-100" />
      <path
        d="M7 10l4 12 5-9 5 9 4-12"
        className="stroke-white dark:stroke-zinc-900"
        strokeWidth="2.5"
        fill="none"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  )
}
