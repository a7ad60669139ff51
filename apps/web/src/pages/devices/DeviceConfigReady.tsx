/**
 * Shown once after a device is added or its key rotated: the complete config (with the private key
 * made in this page) as a QR code and a file. Nothing here is sent anywhere or stored; closing it
 * forgets the key.
 */
import { type DeviceCreated, deviceConfigFileName } from '@wirewarp/protocol'
import { useMemo } from 'react'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { CopyButton } from '../../components/CopyButton.tsx'
import { DialogFooter } from '../../components/Dialog.tsx'
import { QrCode } from '../../components/QrCode.tsx'
import { downloadText } from '../../files/downloadText.ts'
import { completeDeviceConfig } from '../../wireguard/completeDeviceConfig.ts'
import type { WgKeyPair } from '../../wireguard/generateKeyPair.ts'

export function DeviceConfigReady({
  device,
  keys,
  onDone,
}: {
  device: DeviceCreated
  keys: WgKeyPair
  onDone: () => void
}) {
  const config = useMemo(() => {
    try {
      return completeDeviceConfig(device.config, keys.privateKey)
    } catch {
      return null
    }
  }, [device.config, keys.privateKey])
  const fileName = deviceConfigFileName(device.name)

  return (
    <div className="space-y-4" data-testid="device-config-ready" data-key-source={keys.source}>
      {config === null ? (
        <Alert title="The server sent a config this page cannot complete">
          The device was saved with its public key, but its config has no place for the private key. Rotate the key on
          the device’s page to try again.
        </Alert>
      ) : (
        <>
          <Alert tone="warning" title="The private key is shown only now">
            It was made in this browser and never sent to the server, so nobody can show it again. Scan the code or
            download the file before you close this. If you lose it, rotate the key.
          </Alert>
          <div className="grid items-start gap-4 sm:grid-cols-[minmax(0,16rem)_1fr]">
            <QrCode
              text={config}
              label={`QR code of the WireGuard config for ${device.name}`}
              className="mx-auto w-full max-w-64 border border-zinc-200 dark:border-zinc-700"
            />
            <div className="space-y-3 text-sm text-zinc-700 dark:text-zinc-300">
              <p>
                <span className="font-medium text-zinc-900 dark:text-zinc-100">Phone:</span> in the WireGuard app, add a
                tunnel and choose “Scan from QR code”.
              </p>
              <p>
                <span className="font-medium text-zinc-900 dark:text-zinc-100">Computer:</span> download the file and
                import it in WireGuard, or save it as{' '}
                <span className="font-mono text-xs">/etc/wireguard/{fileName}</span> for{' '}
                <span className="font-mono text-xs">wg-quick</span>.
              </p>
              <div className="flex flex-wrap gap-2">
                <Button tone="primary" onClick={() => downloadText(config, fileName)}>
                  Download {fileName}
                </Button>
                <CopyButton text={config} label="Copy config" />
              </div>
            </div>
          </div>
        </>
      )}
      <DialogFooter>
        <Button tone="primary" onClick={onDone}>
          Done
        </Button>
      </DialogFooter>
    </div>
  )
}
