/** Where a user lands after signing in: the first page their role can use. */
import type { Role } from '@wirewarp/protocol'

export function homePath(role: Role): string {
  return role === 'admin' ? '/overview' : '/devices'
}
