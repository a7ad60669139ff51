/**
 * Gives a device a new key pair, made in this browser like the first: the old key stops working at
 * once, and the new config is shown once (QR code and file).
 */
import type { Device, DeviceCreated, DeviceKeyRotation } from '@wirewarp/protocol'
import { useState } from 'react'
import { useRotateDeviceKey } from '../../api/devices.ts'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { Dialog, DialogFooter } from '../../components/Dialog.tsx'
import { Field, selectClass } from '../../components/Field.tsx'
import { generateKeyPair, type WgKeyPair } from '../../wireguard/generateKeyPair.ts'
import { DeviceConfigReady } from './DeviceConfigReady.tsx'

type PresharedChoice = 'keep' | 'new' | 'none'

const presharedBody: Record<PresharedChoice, Pick<DeviceKeyRotation, 'presharedKey'>> = {
  keep: {},
  new: { presharedKey: true },
  none: { presharedKey: false },
}

export function RotateKeyDialog({ open, onClose, device }: { open: boolean; onClose: () => void; device: Device }) {
  const rotate = useRotateDeviceKey()
  const [rotated, setRotated] = useState<{ device: DeviceCreated; keys: WgKeyPair } | null>(null)
  const [preshared, setPreshared] = useState<PresharedChoice>('keep')
  const [making, setMaking] = useState(false)
  const [keyError, setKeyError] = useState<string | null>(null)

  const close = () => {
    setRotated(null)
    setPreshared('keep')
    setKeyError(null)
    rotate.reset()
    onClose()
  }

  const onRotate = async () => {
    setKeyError(null)
    setMaking(true)
    let keys: WgKeyPair
    try {
      keys = await generateKeyPair()
    } catch {
      setKeyError('This browser could not make a WireGuard key. Try another browser.')
      return
    } finally {
      setMaking(false)
    }
    rotate.mutate(
      { id: device.id, body: { publicKey: keys.publicKey, ...presharedBody[preshared] } },
      { onSuccess: (saved) => setRotated({ device: saved, keys }) },
    )
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      size={rotated ? 'lg' : 'md'}
      title={rotated ? `Set up ${rotated.device.name} again` : `Rotate the key of ${device.name}?`}
    >
      {rotated ? (
        <DeviceConfigReady device={rotated.device} keys={rotated.keys} onDone={close} />
      ) : (
        <div className="space-y-4 text-sm text-zinc-700 dark:text-zinc-300">
          <p>
            A new key pair is made in this browser. The device’s current config stops working as soon as the server
            applies the change: set the device up again with the new config.
          </p>
          <Field label="Preshared key" name="presharedKey">
            {(control) => (
              <select
                {...control}
                className={selectClass}
                value={preshared}
                onChange={(e) => setPreshared(e.target.value as PresharedChoice)}
              >
                <option value="keep">{device.hasPresharedKey ? 'Keep the current one' : 'Keep none'}</option>
                <option value="new">{device.hasPresharedKey ? 'Make a new one' : 'Add one'}</option>
                {device.hasPresharedKey && <option value="none">Remove it</option>}
              </select>
            )}
          </Field>
          {(keyError ?? rotate.error) && <Alert>{keyError ?? rotate.error?.message}</Alert>}
          <DialogFooter>
            <Button onClick={close} disabled={rotate.isPending || making}>
              Cancel
            </Button>
            <Button tone="danger" onClick={onRotate} pending={rotate.isPending || making}>
              Rotate key
            </Button>
          </DialogFooter>
        </div>
      )}
    </Dialog>
  )
}
