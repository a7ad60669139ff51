/**
 * A lab client: connects (TCP) or sends a datagram (UDP) to HOST:PORT and prints the one-line
 * reply of an echo server (`peer=… host=… port=…`). Exit 0 with a reply; 1 when refused, reset
 * or silent until the timeout.
 *
 *   node probe.mjs tcp|udp HOST PORT [TIMEOUT_MS]
 */
import dgram from 'node:dgram'
import net from 'node:net'

const [proto, host, portText, timeoutText = '2000'] = process.argv.slice(2)
const port = Number(portText)
const timeoutMs = Number(timeoutText)
if ((proto !== 'tcp' && proto !== 'udp') || !host || !Number.isInteger(port) || !(timeoutMs > 0)) {
  process.stderr.write('usage: node probe.mjs tcp|udp HOST PORT [TIMEOUT_MS]\n')
  process.exit(2)
}

function done(line, error) {
  if (line) process.stdout.write(`${line.trim()}\n`)
  else process.stderr.write(`${proto} ${host}:${port}: ${error}\n`)
  process.exit(line ? 0 : 1)
}

setTimeout(() => done(null, `no reply within ${timeoutMs} ms`), timeoutMs)

if (proto === 'tcp') {
  let data = ''
  const socket = net.connect({ host, port })
  socket.setEncoding('utf8')
  socket.on('data', (d) => {
    data += d
    if (data.includes('\n')) done(data)
  })
  socket.on('error', (err) => done(null, err.message))
} else {
  // Connected, so an ICMP "port unreachable" ends the probe at once instead of at the timeout.
  const socket = dgram.createSocket('udp4')
  socket.on('message', (msg) => done(msg.toString('utf8')))
  socket.on('error', (err) => done(null, err.message))
  socket.connect(port, host, () => {
    const send = () => socket.send('probe')
    send()
    // Datagrams may be lost while ARP resolves or a NAT mapping forms: ask again on the same socket.
    setInterval(send, 250).unref()
  })
}
