/** The signed-in user, for every page inside RequireSession (where it is never null). */
import type { Me } from '@wirewarp/protocol'
import { createContext, useContext } from 'react'

export const SessionContext = createContext<Me | null>(null)

export function useSession(): Me {
  const me = useContext(SessionContext)
  if (!me) throw new Error('useSession is only available inside <RequireSession>')
  return me
}
