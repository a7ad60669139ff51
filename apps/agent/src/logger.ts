/**
 * Plain log lines on stderr, `<ISO time> <level> <message>`, for journald and for tests that wait
 * on a line. Secrets registered with `redact` are replaced wherever they appear.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  /** Never print this text (a token or credential), even inside an error message from a library. */
  redact(secret: string): void
}

export function createLogger(opts: { write?: (line: string) => void; now?: () => Date; debug?: boolean } = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line))
  const now = opts.now ?? (() => new Date())
  const secrets = new Set<string>()
  const line = (level: Level, message: string) => {
    let text = message
    for (const s of secrets) text = text.split(s).join('[redacted]')
    write(`${now().toISOString()} ${level} ${text}\n`)
  }
  return {
    debug: (m) => {
      if (opts.debug) line('debug', m)
    },
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
    redact: (s) => {
      // Short strings would blank out ordinary words.
      if (s.length >= 8) secrets.add(s)
    },
  }
}
