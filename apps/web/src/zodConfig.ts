/**
 * Tells zod not to compile parsers with `new Function`: the dashboard's Content-Security-Policy
 * forbids eval, and zod's probe for it would be reported as a violation on every page.
 */
import { z } from 'zod'

z.config({ jitless: true })
