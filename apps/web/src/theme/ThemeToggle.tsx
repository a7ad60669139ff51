/** Header button that cycles the colour scheme: system → light → dark. */
import { useState } from 'react'
import { Button } from '../components/Button.tsx'
import { readThemeChoice, saveThemeChoice, type ThemeChoice } from './theme.ts'

const next: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' }
const labels: Record<ThemeChoice, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' }

export function ThemeToggle() {
  const [choice, setChoice] = useState(readThemeChoice)
  return (
    <Button
      tone="ghost"
      size="sm"
      title="Switch colour scheme"
      onClick={() => {
        const chosen = next[choice]
        saveThemeChoice(chosen)
        setChoice(chosen)
      }}
    >
      <ThemeIcon choice={choice} />
      <span className="sr-only sm:not-sr-only">{labels[choice]}</span>
    </Button>
  )
}

function ThemeIcon({ choice }: { choice: ThemeChoice }) {
  const common = {
    className: 'size-4',
    viewBox: '0 0 24 24',
    fill: 'none',
    stroke: 'currentColor',
    strokeWidth: 2,
    strokeLinecap: 'round' as const,
    strokeLinejoin: 'round' as const,
  }
  if (choice === 'dark') {
    return (
      <svg {...common} aria-hidden="true">
        <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" />
      </svg>
    )
  }
  if (choice === 'light') {
    return (
      <svg {...common} aria-hidden="true">
        <circle cx="12" cy="12" r="4" />
        <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
      </svg>
    )
  }
  return (
    <svg {...common} aria-hidden="true">
      <rect x="3" y="4" width="18" height="12" rx="2" />
      <path d="M8 20h8M12 16v4" />
    </svg>
  )
}
