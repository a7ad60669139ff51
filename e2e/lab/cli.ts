/**
 * `npm run lab -- up|down|status`: brings the lab up for a person to try (and leaves it running),
 * takes it down again, or says what is running. Needs root.
 */
import { existsSync, readFileSync } from 'node:fs'
import { Lab, labUnavailable } from './lab.ts'
import { LabDir } from './labDir.ts'
import { existingNamespaces, existingRootLinks } from './netns.ts'
import { ECHO_SERVICES, PROBE } from './services.ts'
import { ADDRESSES, ALL_TOPOLOGIES, NS } from './topology.ts'

const USAGE = `usage: npm run lab -- up|down|status

  up      builds the network namespaces, starts a control server and two agents (VPS and
          homelab) with the linux driver, adds example port forwards, and leaves it all running
  down    stops every lab process and removes every namespace, link and route, also after a
          failed up
  status  lists what of the lab exists now

Files (pid files, logs, server data, agent configs) live in $WIREWARP_LAB_DIR, default /tmp/wirewarp-lab.`

/** Forwards a person can try at once; the tests make their own. */
async function addExampleForwards(lab: Lab): Promise<string[]> {
  const homelabTunnelIp = lab.tunnelClient.tunnelIp
  if (!homelabTunnelIp) throw new Error('the homelab client got no tunnel address')
  const base = { tunnelServerId: lab.tunnelServer.id, tunnelClientId: lab.tunnelClient.id }
  const examples = [
    {
      protocol: 'tcp',
      publicPort: 25565,
      destinationIp: homelabTunnelIp,
      destinationPort: 25565,
      preserveClientIp: true,
    },
    {
      protocol: 'udp',
      publicPort: 19132,
      destinationIp: homelabTunnelIp,
      destinationPort: 19132,
      preserveClientIp: true,
    },
    { protocol: 'tcp', publicPort: 8080, destinationIp: ADDRESSES.vm, destinationPort: 8080, preserveClientIp: true },
  ] as const
  for (const f of examples) await lab.api.createForward({ ...base, ...f, description: 'lab example' })
  await lab.waitConverged()
  return examples.map(
    (f) => `ip netns exec ${NS.inet} node ${PROBE} ${f.protocol} ${ADDRESSES.vpsPublic} ${f.publicPort}`,
  )
}

async function up(): Promise<number> {
  const dir = new LabDir()
  let lab: Lab
  try {
    lab = await Lab.up({ dir, progress: (step) => process.stderr.write(`lab: ${step}…\n`) })
  } catch (err) {
    process.stderr.write(
      `\nlab: up failed: ${(err as Error).message}\n\n` +
        `What was built is left for inspection (logs in ${dir.logDir}).\nRemove it all with: npm run lab -- down\n`,
    )
    return 1
  }
  const tries = await addExampleForwards(lab)
  const h = lab.handles()
  process.stdout.write(
    [
      '',
      'WireWarp lab is up.',
      '',
      `  dashboard   ${h.dashboard}   (agents use ${h.agentUrl})`,
      `  admin       ${h.admin.email}`,
      `  password    ${h.admin.password}`,
      '',
      `  internet host  ${NS.inet}     ${ADDRESSES.inet}`,
      `  VPS            ${NS.vps}      ${ADDRESSES.vpsPublic} (server agent)`,
      `  home router    ${NS.homer}    ${ADDRESSES.homerWan}, NAT, no inbound forwards`,
      `  homelab        ${NS.homelab}  ${ADDRESSES.homelabLan}, gateway for the VM (client agent)`,
      `  VM             ${NS.vm}       ${ADDRESSES.vm}`,
      `  echo services  ${ECHO_SERVICES.map((s) => `${s.name} ${s.specs.join(' ')}`).join('; ')}`,
      '',
      'Try (each prints the address the service saw you at):',
      ...tries.map((t) => `  ${t}`),
      `  ip netns exec ${NS.vm} node ${PROBE} tcp ${ADDRESSES.inet} 9000      # the VM's egress: leaves from ${ADDRESSES.vpsPublic}`,
      '',
      `Agent logs: ${Object.values(h.agents)
        .map((a) => a.log)
        .join(', ')}`,
      `Take it down with: npm run lab -- down`,
      '',
    ].join('\n'),
  )
  return 0
}

async function down(): Promise<number> {
  const report = await Lab.down(new LabDir())
  process.stdout.write(
    `lab: removed ${report.namespaces.length} namespaces (${report.namespaces.join(', ') || 'none'}) ` +
      `and ${report.links.length} root links (${report.links.join(', ') || 'none'}); every lab process stopped\n`,
  )
  return 0
}

async function status(): Promise<number> {
  const dir = new LabDir()
  const namespaces: string[] = []
  const links: string[] = []
  for (const t of ALL_TOPOLOGIES) {
    namespaces.push(...(await existingNamespaces(t)))
    links.push(...(await existingRootLinks(t)))
  }
  process.stdout.write(`namespaces: ${namespaces.join(' ') || 'none'}\nroot links: ${links.join(' ') || 'none'}\n`)
  if (existsSync(dir.handlesFile)) process.stdout.write(readFileSync(dir.handlesFile, 'utf8'))
  return 0
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0]
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`)
    return command === undefined ? 2 : 0
  }
  if (!['up', 'down', 'status'].includes(command)) {
    process.stderr.write(`lab: unknown command "${command}"\n${USAGE}\n`)
    return 2
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write(`lab: ${labUnavailable()}\n`)
    return 1
  }
  if (command === 'up') return up()
  if (command === 'down') return down()
  return status()
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`lab: ${err.stack ?? err.message}\n`)
    process.exit(1)
  },
)
