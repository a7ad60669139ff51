/**
 * A QR code of a text, drawn as one SVG path in the page (no image request, no canvas). Always dark
 * on white, also in the dark theme: phone cameras read inverted codes badly.
 */
import { useMemo } from 'react'
import { encode } from 'uqr'

export function QrCode({ text, label, className = '' }: { text: string; label: string; className?: string }) {
  const { size, path } = useMemo(() => {
    // M recovers 15% of the modules: a screen's glare, a smudge, and a config still fits version 10 or so.
    const qr = encode(text, { ecc: 'M', border: 2 })
    let d = ''
    qr.data.forEach((row, y) => {
      row.forEach((dark, x) => {
        if (dark) d += `M${x} ${y}h1v1h-1z`
      })
    })
    return { size: qr.size, path: d }
  }, [text])
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size} ${size}`}
      shapeRendering="crispEdges"
      className={`block rounded-md bg-white ${className}`}
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  )
}
