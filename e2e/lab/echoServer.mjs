/**
 * A lab service: answers every TCP connection and every UDP datagram with one line naming the
 * address it saw the peer at, `peer=IP host=NAME port=PORT`, so a test knows whether the real
 * client IP arrived. Sockets are bound to 0.0.0.0, like most game servers: a UDP reply goes out
 * with sendto and the kernel picks its source address (the case the agent's 5200 rules exist for).
 *
 *   node echoServer.mjs NAME SPEC...     SPEC: tcp:PORT | udp:PORT | udp:FIRST-LAST | stream:PORT
 *
 * `stream` is TCP that stays open: after the line it sends back whatever the client sends, so a
 * client (streamClient.mjs) sees the moment an open connection stops getting through.
 *
 * Prints `listening NAME SPEC...` once every socket is bound.
 */
import dgram from 'node:dgram'
import net from 'node:net'

const [name, ...specs] = process.argv.slice(2)
if (!name || specs.length === 0) {
  process.stderr.write('usage: node echoServer.mjs NAME tcp:PORT|udp:PORT|udp:FIRST-LAST...\n')
  process.exit(2)
}

const reply = (peer, port) => `peer=${peer} host=${name} port=${port}\n`

function ports(range) {
  const [first, last = first] = range.split('-').map(Number)
  if (!Number.isInteger(first) || !Number.isInteger(last) || last < first) throw new Error(`bad port range ${range}`)
  return Array.from({ length: last - first + 1 }, (_, i) => first + i)
}

function listenTcp(port, stream = false) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => {})
      if (!stream) return socket.end(reply(socket.remoteAddress, port))
      socket.write(reply(socket.remoteAddress, port))
      socket.pipe(socket)
    })
    server.once('error', reject)
    server.listen(port, '0.0.0.0', resolve)
  })
}

function listenUdp(port) {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4')
    socket.on('message', (_msg, rinfo) => socket.send(reply(rinfo.address, port), rinfo.port, rinfo.address))
    socket.once('error', reject)
    socket.bind(port, '0.0.0.0', resolve)
  })
}

const bound = []
for (const spec of specs) {
  const [proto, range = ''] = spec.split(':')
  for (const port of ports(range)) {
    if (proto === 'tcp') bound.push(listenTcp(port))
    else if (proto === 'stream') bound.push(listenTcp(port, true))
    else if (proto === 'udp') bound.push(listenUdp(port))
    else throw new Error(`bad protocol in ${spec}`)
  }
}
await Promise.all(bound)
process.stdout.write(`listening ${name} ${specs.join(' ')}\n`)
