/**
 * Users' devices (remote-access VPN peers): list, read, add, change, enable, rotate the key, delete,
 * and the `.conf` without its private key. Device stats come from handshakes the tunnel server
 * reports; no live event carries them, so open pages poll.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Device,
  type DeviceCreate,
  DeviceCreated,
  type DeviceKeyRotation,
  type DeviceUpdate,
  Page,
} from '@wirewarp/protocol'
import { apiFetch, apiFetchText } from './apiFetch.ts'
import { queryKeys } from './queryKeys.ts'

const DevicePage = Page(Device)

/** The tunnel server samples handshakes and traffic every 30 s; 10 s shows a new sample soon enough. */
export const DEVICE_STATS_REFRESH_MS = 10_000

const devicePath = (id: string) => `/devices/${encodeURIComponent(id)}`

/** A page of devices: the signed-in user's own, or (admins) one user's or everyone's. */
export function useDevices(filters: { userId?: string | undefined; limit: number; offset: number }) {
  const key = { userId: filters.userId, limit: filters.limit, offset: filters.offset }
  return useQuery({
    queryKey: queryKeys.devices.list(key),
    queryFn: ({ signal }) => apiFetch('/devices', { schema: DevicePage, query: key, signal }),
    placeholderData: keepPreviousData,
    refetchInterval: DEVICE_STATS_REFRESH_MS,
  })
}

/** One device; nothing is fetched while `id` is null. */
export function useDevice(id: string | null) {
  return useQuery({
    queryKey: queryKeys.devices.detail(id ?? ''),
    queryFn: ({ signal }) => apiFetch(devicePath(id ?? ''), { schema: Device, signal }),
    enabled: id !== null,
    refetchInterval: DEVICE_STATS_REFRESH_MS,
  })
}

function useInvalidateDevices() {
  const queryClient = useQueryClient()
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.devices.all })
}

/** Keeps an open detail page on the saved device before any refetch ends. */
function useSaveDevice() {
  const queryClient = useQueryClient()
  const invalidate = useInvalidateDevices()
  return (saved: Device) => {
    queryClient.setQueryData(queryKeys.devices.detail(saved.id), Device.parse(saved))
    return invalidate()
  }
}

/** The body carries the public key only: the private key stays in the page that made it. */
export function useCreateDevice() {
  const invalidate = useInvalidateDevices()
  return useMutation({
    mutationFn: (body: DeviceCreate) => apiFetch('/devices', { method: 'POST', body, schema: DeviceCreated }),
    onSuccess: invalidate,
  })
}

export function useUpdateDevice() {
  const save = useSaveDevice()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: DeviceUpdate }) =>
      apiFetch(devicePath(id), { method: 'PATCH', body: patch, schema: Device }),
    onSuccess: save,
  })
}

export function useSetDeviceEnabled() {
  const save = useSaveDevice()
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      apiFetch(`${devicePath(id)}/${enabled ? 'enable' : 'disable'}`, { method: 'POST', schema: Device }),
    onSuccess: save,
  })
}

export function useRotateDeviceKey() {
  const save = useSaveDevice()
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: DeviceKeyRotation }) =>
      apiFetch(`${devicePath(id)}/rotate-key`, { method: 'POST', body, schema: DeviceCreated }),
    onSuccess: save,
  })
}

export function useDeleteDevice() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => apiFetch(devicePath(id), { method: 'DELETE' }),
    onSuccess: (_done, id) => {
      // The detail page leaves; a refetch of the gone device would only 404.
      queryClient.removeQueries({ queryKey: queryKeys.devices.detail(id) })
      return queryClient.invalidateQueries({ queryKey: queryKeys.devices.lists })
    },
  })
}

/** The device's `.conf` as the server has it: with the private key's line left for the device. */
export function fetchDeviceConfig(id: string): Promise<string> {
  return apiFetchText(`${devicePath(id)}/config`)
}
