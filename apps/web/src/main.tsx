/** Starts the dashboard: theme first (no flash of the wrong colours), then queries and routes. */
// First: before any schema parses (zodConfig.ts says why).
import './zodConfig.ts'
import { QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { RouterProvider } from 'react-router/dom'
import { queryClient } from './api/queryClient.ts'
import { router } from './router.tsx'
import { initTheme } from './theme/theme.ts'
import './index.css'

initTheme()

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
)
