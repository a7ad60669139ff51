/**
 * What the signed-in user may do with devices, from the VPN settings: admins everything; users
 * what the settings allow. The server enforces the same; this only keeps the page from offering
 * what would be refused. Until the settings load, nothing that changes devices is offered.
 */
import { useVpnSettings } from '../../api/vpn.ts'
import { useSession } from '../../auth/SessionContext.ts'

export interface DeviceRights {
  /** Add, enable and disable, rotate keys of, and delete devices. */
  manage: boolean
  /** Set a device's own endpoint, DNS, allowed IPs, MTU and keepalive. */
  configure: boolean
}

export function useDeviceRights(): DeviceRights {
  const me = useSession()
  const settings = useVpnSettings()
  if (me.role === 'admin') return { manage: true, configure: true }
  if (!settings.data) return { manage: false, configure: false }
  return { manage: settings.data.usersMayManageDevices, configure: settings.data.usersMayConfigureDevices }
}
