/** Turns the configured proxy trust (WIREWARP_TRUST_PROXY) into Fastify's `trustProxy` option. */
import type { TrustProxy } from '../config.ts'

/**
 * Hop counts become a function: Fastify reads a number the same way at run time, but its types
 * do not take one. A list of addresses and networks is handed on as is, for proxy-addr to walk
 * X-Forwarded-For from the nearest hop back to the first address not in it.
 */
export function trustProxyOption(trust: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false || Array.isArray(trust)) return trust
  return (_address, hop) => hop < trust
}
