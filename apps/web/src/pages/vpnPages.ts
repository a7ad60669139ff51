/**
 * The remote-access VPN's pages, loaded as one chunk of their own when one of them is first opened:
 * with the QR code and the key maths they would push the main bundle past its size limit.
 */
export { AdminDevicesPage } from './devices/AdminDevicesPage.tsx'
export { DeviceDetailPage } from './devices/DeviceDetailPage.tsx'
export { MyDevicesPage } from './devices/MyDevicesPage.tsx'
export { RulesPage } from './rules/RulesPage.tsx'
export { VpnSettingsPage } from './settings/VpnSettingsPage.tsx'
