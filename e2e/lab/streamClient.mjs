/**
 * A lab client that keeps one TCP connection open to a `stream` echo service: sends a numbered
 * line every INTERVAL_MS and prints, for every line that comes back, `echo SEQ EPOCH_MS` (this
 * machine's clock). Prints the service's first line (`peer=…`) as it arrives, and `closed` or
 * `error MESSAGE` when the connection ends; runs until it is killed.
 *
 *   node streamClient.mjs HOST PORT [INTERVAL_MS]
 */
import net from 'node:net'

const [host, portText, intervalText = '20'] = process.argv.slice(2)
const port = Number(portText)
const intervalMs = Number(intervalText)
if (!host || !Number.isInteger(port) || !(intervalMs > 0)) {
  process.stderr.write('usage: node streamClient.mjs HOST PORT [INTERVAL_MS]\n')
  process.exit(2)
}

let seq = 0
let buffer = ''
const socket = net.connect({ host, port })
socket.setEncoding('utf8')
socket.setNoDelay(true)
socket.on('connect', () => {
  process.stdout.write('connected\n')
  setInterval(() => socket.write(`${++seq}\n`), intervalMs)
})
socket.on('data', (d) => {
  buffer += d
  const lines = buffer.split('\n')
  buffer = lines.pop() ?? ''
  const now = Date.now()
  for (const line of lines) {
    if (/^\d+$/.test(line)) process.stdout.write(`echo ${line} ${now}\n`)
    else process.stdout.write(`${line}\n`)
  }
})
socket.on('close', () => {
  process.stdout.write('closed\n')
  process.exit(1)
})
socket.on('error', (err) => process.stdout.write(`error ${err.message}\n`))
