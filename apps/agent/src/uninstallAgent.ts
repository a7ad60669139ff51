/**
 * The `uninstall` command: tears down what the driver set up (as `wirewarp-agent teardown`
 * does), takes the service out of the boot sequence and removes the installation, then reports.
 * After the report has been sent, `stopService` makes sure the service manager does not start
 * the agent again; the agent then exits with EXIT_UNINSTALLED.
 */
import { access } from 'node:fs/promises'
import { errorText } from './agentText.ts'
import type { Driver } from './drivers/driver.ts'
import type { Run } from './exec/run.ts'
import { type InstallLayout, type RemovalReport, removeInstallation } from './removeInstallation.ts'

export interface UninstallReport extends RemovalReport {
  /** What the driver tore down, in words. */
  teardown: string
  /** The service manager the agent was installed under, and what was done about it. */
  service: { manager: ServiceManager; done: string[] }
}

export type ServiceManager = 'systemd' | 'openrc' | 'none'

export interface UninstallOptions {
  driver: Driver
  layout: InstallLayout
  configPath: string
  stateDir: string
  run: Run
}

/** The teardown failed: nothing was removed, and the agent keeps running. */
export class TeardownFailed extends Error {}

/** The installation was removed but some of it stayed behind; the report says what. */
export class UninstallIncomplete extends Error {
  constructor(readonly report: UninstallReport) {
    const left = report.failed.map((f) => `${f.path} (${f.error})`).join('; ')
    super(
      `The agent was torn down and stopped, but could not remove: ${left}. Remove these yourself, or run the install script with --uninstall.`,
    )
  }
}

/** Service commands run only on the real host: with a prefix, the unit files are a test's copy. */
const onHost = (l: InstallLayout) => l.prefix === ''

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  )

async function detectService(l: InstallLayout): Promise<ServiceManager> {
  if (await exists(l.systemdUnit)) return 'systemd'
  if (await exists(l.openrcScript)) return 'openrc'
  return 'none'
}

export async function uninstallAgent(o: UninstallOptions): Promise<UninstallReport> {
  let teardown: string
  if (o.driver.teardown) {
    try {
      await o.driver.teardown()
    } catch (err) {
      throw new TeardownFailed(
        `The teardown failed, so nothing was removed and the agent keeps running: ${errorText(err)}`,
      )
    }
    teardown =
      'Removed the nftables table inet wirewarp, the agent’s ip rules and routes, its WireGuard interface and DOCKER-USER accepts; sysctls were left as they are.'
  } else teardown = `The ${o.driver.name} driver changes nothing on the host; nothing to tear down.`

  const manager = await detectService(o.layout)
  const service: UninstallReport['service'] = { manager, done: [] }
  const failed: RemovalReport['failed'] = []
  // Out of the boot sequence while the unit file still exists (disable needs it); not stopped
  // yet: stopping now would end this process before it reports.
  const step = async (argv: string[]) => {
    if (!onHost(o.layout)) {
      service.done.push(`skipped \`${argv.join(' ')}\` (installed under ${o.layout.prefix})`)
      return
    }
    try {
      await o.run(argv, { timeoutMs: 15_000 })
      service.done.push(argv.join(' '))
    } catch (err) {
      failed.push({ path: argv.join(' '), error: errorText(err) })
    }
  }
  if (manager === 'systemd') await step(['systemctl', 'disable', 'wirewarp-agent'])
  if (manager === 'openrc') await step(['rc-update', 'del', 'wirewarp-agent', 'default'])

  const removal = await removeInstallation({ layout: o.layout, configPath: o.configPath, stateDir: o.stateDir })
  // The unit file is gone: let systemd forget it (this does not stop the agent).
  if (manager === 'systemd') await step(['systemctl', 'daemon-reload'])
  const report: UninstallReport = { teardown, service, ...removal, failed: [...failed, ...removal.failed] }
  if (report.failed.length > 0) throw new UninstallIncomplete(report)
  return report
}

/**
 * After the report went out: asks systemd, without waiting, to stop the service, so that it is
 * not restarted even under a unit without RestartPreventExitStatus=3. Never throws.
 */
export async function stopService(layout: InstallLayout, manager: ServiceManager, run: Run): Promise<void> {
  if (!onHost(layout) || manager !== 'systemd') return
  await run(['systemctl', '--no-block', 'stop', 'wirewarp-agent'], { timeoutMs: 5000 }).catch(() => {})
}
