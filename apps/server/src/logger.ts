/** pino logger: JSON lines for machines, pretty when a person watches a terminal; secrets redacted. */
import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'

export function createLogger(level: string): Logger {
  const options = {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token'],
      censor: '[redacted]',
    },
  }
  return process.stdout.isTTY ? pino(options, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss' })) : pino(options)
}
