/** What every signed-in user may read about the VPN (its tunnel servers and settings), and the admin's changes to the settings. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { VpnServerList, VpnSettings, type VpnSettingsUpdate } from '@wirewarp/protocol'
import { apiFetch } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'

export function useVpnServers() {
  return useQuery({
    queryKey: queryKeys.vpnServers,
    queryFn: ({ signal }) => apiFetch('/vpn/servers', { schema: VpnServerList, signal }),
  })
}

export function useVpnSettings() {
  return useQuery({
    queryKey: queryKeys.vpnSettings,
    queryFn: ({ signal }) => apiFetch('/settings/vpn', { schema: VpnSettings, signal }),
  })
}

export function useUpdateVpnSettings() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (patch: VpnSettingsUpdate) =>
      apiFetch('/settings/vpn', { method: 'PATCH', body: patch, schema: VpnSettings }),
    onSuccess: (saved) => {
      queryClient.setQueryData(queryKeys.vpnSettings, saved)
      // The default policy ends every list of effective rules.
      return queryClient.invalidateQueries({ queryKey: queryKeys.rules.all })
    },
  })
}
