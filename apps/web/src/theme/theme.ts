/** Light/dark mode: a saved choice, or the system's preference, applied as the `dark` class on <html>. */

export type ThemeChoice = 'system' | 'light' | 'dark'

const STORAGE_KEY = 'wirewarp.theme'
const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)')

export function readThemeChoice(): ThemeChoice {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    return saved === 'light' || saved === 'dark' ? saved : 'system'
  } catch {
    // Storage can be blocked (privacy settings); the system preference still works.
    return 'system'
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && darkQuery().matches)
  document.documentElement.classList.toggle('dark', dark)
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light'
}

export function saveThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(STORAGE_KEY)
    else localStorage.setItem(STORAGE_KEY, choice)
  } catch {
    // Not saved, but still applied for this visit.
  }
  applyTheme(choice)
}

/** Applies the saved choice now and follows system changes while the choice is "system". */
export function initTheme(): void {
  applyTheme(readThemeChoice())
  darkQuery().addEventListener('change', () => {
    if (readThemeChoice() === 'system') applyTheme('system')
  })
}
