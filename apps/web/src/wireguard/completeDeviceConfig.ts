/**
 * Puts the private key made in the page into the server's `.conf`, where the server left the line
 * that says it does not know the key. Pure, and runs only in the page: the result is never sent.
 */
import { MISSING_PRIVATE_KEY_NOTE } from '@wirewarp/protocol'

export function completeDeviceConfig(config: string, privateKey: string): string {
  const lines = config.split('\n')
  const at = lines.indexOf(MISSING_PRIVATE_KEY_NOTE)
  // Without the note there is no safe place to guess: a config without a key is caught by the
  // WireGuard app, one with the key in the wrong section is not.
  if (at === -1) throw new Error('The server sent a config without the place for the private key.')
  lines[at] = `PrivateKey = ${privateKey}`
  return lines.join('\n')
}
