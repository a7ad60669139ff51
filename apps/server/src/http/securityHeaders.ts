/**
 * Security headers on every answer (helmet): no MIME sniffing, no framing, a Content-Security-
 * Policy the dashboard and the API docs work under, a referrer policy, and HSTS only over https.
 */
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

/** For answers written before hooks run (client errors, routing errors): JSON only, nothing to load. */
export const BASELINE_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'same-origin',
} as const

// The dashboard (Vite build) and Swagger UI load only their own scripts and styles, with no
// inline <script>; icons are data: URLs. Not `upgrade-insecure-requests` (helmet's default): on a
// plain-http install (http://192.168.1.5:8080) it would send every asset to an https port.
const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
}

/**
 * The policy of the API docs (@fastify/swagger-ui's `transformStaticCSP`): Swagger UI's bundle
 * adds <style> elements at run time, so its pages, and only they, allow inline styles.
 * Scripts stay 'self' only.
 */
export function docsCsp(header: string): string {
  return header.replace(/style-src 'self'/, "style-src 'self' 'unsafe-inline'")
}

// A year, the usual for preload lists; not includeSubDomains, which would bind the operator's
// other hosts under the same name to https too.
const HSTS = 'max-age=31536000'

export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    xFrameOptions: { action: 'deny' },
    // Not no-referrer: with it, browsers send `Origin: null` on same-origin POSTs, which the
    // CSRF check then refuses. same-origin keeps the Origin and tells other sites nothing.
    referrerPolicy: { policy: 'same-origin' },
    // Over plain http a browser ignores HSTS at best; set below, per request.
    strictTransportSecurity: false,
  })
  app.addHook('onRequest', async (request, reply) => {
    // request.protocol is https behind a trusted proxy that says so (X-Forwarded-Proto), never otherwise.
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS)
  })
}
