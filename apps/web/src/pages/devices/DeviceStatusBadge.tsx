/** Whether a device is connected: online (a recent handshake), offline, never connected, or off. */
import type { Device } from '@wirewarp/protocol'
import { DEVICE_ONLINE_WITHIN_SECONDS } from '@wirewarp/protocol'
import { Badge } from '../../components/Badge.tsx'

export function DeviceStatusBadge({ device }: { device: Device }) {
  if (!device.enabled) return <Badge data-status="disabled">Disabled</Badge>
  if (device.inactiveReason === 'user_disabled')
    return (
      <Badge tone="amber" data-status="inactive" title="The owner’s account is disabled, so the device cannot connect">
        Owner disabled
      </Badge>
    )
  if (device.stats.online)
    return (
      <Badge
        tone="green"
        data-status="online"
        title={`A handshake in the last ${DEVICE_ONLINE_WITHIN_SECONDS / 60} minutes`}
      >
        Online
      </Badge>
    )
  if (device.stats.latestHandshakeAt === null)
    return (
      <Badge tone="sky" data-status="never" title="No handshake yet: set up the config on the device">
        Not set up yet
      </Badge>
    )
  return (
    <Badge tone="neutral" data-status="offline">
      Offline
    </Badge>
  )
}
