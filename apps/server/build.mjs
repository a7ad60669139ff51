// Bundles the server into one ESM file; npm packages stay external (native addons, pino workers).
import { build } from 'esbuild'

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  packages: 'external',
  // @wirewarp/protocol is TypeScript source: bundle it rather than leave it external.
  alias: { '@wirewarp/protocol': '../../packages/protocol/src/index.ts' },
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
})
