// Bundles the agent and all its dependencies into one ESM file that runs with plain `node` on any
// CPU: no node_modules on the host, nothing native.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/wirewarp-agent.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // @wirewarp/protocol is TypeScript source in the monorepo, not a built package.
  alias: { '@wirewarp/protocol': '../../packages/protocol/src/index.ts' },
  // ws tries these optional native speed-ups inside try/catch and works without them.
  external: ['bufferutil', 'utf-8-validate'],
  banner: {
    // ws and other CommonJS dependencies call require(), which an ES module lacks.
    js: "#!/usr/bin/env node\nimport { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
