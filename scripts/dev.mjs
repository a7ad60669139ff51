// `npm run dev`: the server with restart-on-change (tsx watch) and the dashboard with hot reload
// (Vite on :5173, proxying /api to the server on :8080). Ctrl-C stops both.
import { spawn } from 'node:child_process'

const children = [
  spawn('npm', ['run', 'dev', '-w', 'apps/server'], {
    stdio: 'inherit',
    env: { ...process.env, HOST: process.env.HOST ?? '127.0.0.1' },
  }),
  spawn('npm', ['run', 'dev', '-w', 'apps/web'], { stdio: 'inherit' }),
]
const stop = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM')
}
for (const c of children)
  c.on('exit', (code) => {
    stop()
    process.exitCode = code ?? 0
  })
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
