/**
 * `wirewarp-agent teardown`: removes from this host everything the configured driver set up
 * (linux: the nftables table, its ip rules and routes, the WireGuard interface, the DOCKER-USER
 * accepts). Stop the agent first: a running agent applies its state again. Resolves with the
 * exit code.
 */
import { ConfigError, loadAgentConfig } from './agentConfig.ts'
import { createDriver } from './drivers/createDriver.ts'
import { DriverUnavailable } from './drivers/driver.ts'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exitCodes.ts'

export interface TeardownOptions {
  configPath: string
  print: (text: string) => void
  printError: (text: string) => void
}

export async function teardownAgent(opts: TeardownOptions): Promise<number> {
  let driver: ReturnType<typeof createDriver>
  try {
    const { config } = await loadAgentConfig(opts.configPath)
    driver = createDriver(config)
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DriverUnavailable) {
      opts.printError(`teardown: ${err.message}`)
      return EXIT_USAGE
    }
    throw err
  }
  if (!driver.teardown) {
    opts.print(`The ${driver.name} driver changes nothing on the host; nothing to remove.\n`)
    return EXIT_OK
  }
  try {
    await driver.teardown()
  } catch (err) {
    opts.printError(`teardown: ${(err as Error).message}`)
    return EXIT_FAILURE
  }
  opts.print(
    'Removed the nftables table inet wirewarp, the agent’s ip rules and routes, its WireGuard interface and DOCKER-USER accepts. Sysctls were left as they are.\n',
  )
  return EXIT_OK
}
