/** A value as indented JSON in a scrollable monospace block (command results, diagnostics). */

export function JsonBlock({ value, className = '' }: { value: unknown; className?: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2)
  return (
    <pre
      className={`overflow-auto rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 font-mono text-xs leading-relaxed text-zinc-800 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-200 ${className}`}
    >
      {text}
    </pre>
  )
}
