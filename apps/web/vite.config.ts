import tailwindcss from '@tailwindcss/vite'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One bundle of about 640 kB (188 kB gzipped) since the dashboard parses live events with the
    // protocol's zod schemas; the VPN's pages and the X25519 fallback are chunks of their own.
    // Splitting the rest by route is the dashboard issue's work.
    chunkSizeWarningLimit: 650,
    rolldownOptions: {
      onwarn(warning, warn) {
        // "use client" marks React Server Components boundaries; a client-only SPA has none to keep.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return
        warn(warning)
      },
    },
  },
  server: {
    port: 5173,
    // The dashboard calls the API on its own origin, so in dev the session cookie just works.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
