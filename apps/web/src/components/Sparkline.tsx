/** A tiny line chart of values from 0 to 1, oldest first, drawn as inline SVG (no chart library). */

export function Sparkline({
  values,
  label,
  className = 'h-8 w-full',
}: {
  values: number[]
  label: string
  className?: string
}) {
  if (values.length < 2) return null
  const step = 100 / (values.length - 1)
  // y grows downwards in SVG; keep a pixel of room so a flat 0 or 1 line is not cut in half.
  const points = values.map((v, i) => `${(i * step).toFixed(2)},${(23 - Math.min(1, Math.max(0, v)) * 22).toFixed(2)}`)
  return (
    <svg className={className} viewBox="0 0 100 24" preserveAspectRatio="none" role="img" aria-label={label}>
      <polygon points={`0,24 ${points.join(' ')} 100,24`} className="fill-sky-500/10" />
      <polyline
        points={points.join(' ')}
        fill="none"
        className="stroke-sky-600 dark:stroke-sky-400"
        strokeWidth="1.5"
        strokeLinejoin="round"
        vectorEffect="non-scaling-stroke"
      />
    </svg>
  )
}
