import { HostFacts } from '@wirewarp/protocol'
import { expect, test } from 'vitest'
import { CommandFailed, type Run } from './exec/run.ts'
import { type HostProbeDeps, prettyName, probeHost } from './probeHost.ts'

/**
 * Fakes, not the host: a command runner answering from a table (a missing entry is "not
 * installed", as execFile's ENOENT), a file system of a set of paths, and fixed process facts.
 */
function fakeHost(o: {
  commands?: Record<string, string | 'fails' | 'hangs'>
  paths?: string[]
  files?: Record<string, string>
  sea?: boolean | undefined
  script?: string
}): HostProbeDeps & { ran: string[] } {
  const ran: string[] = []
  const run: Run = async (argv, opts) => {
    const line = argv.join(' ')
    ran.push(`${line} (timeout ${opts?.timeoutMs})`)
    const answer = o.commands?.[line]
    if (answer === undefined) throw new CommandFailed(argv, null, '', 'ENOENT')
    if (answer === 'fails') throw new CommandFailed(argv, 1, 'boom', 'exit')
    if (answer === 'hangs') throw new CommandFailed(argv, null, '', 'ETIMEDOUT')
    return answer
  }
  return {
    ran,
    run,
    exists: async (p) => (o.paths ?? []).includes(p) || p in (o.files ?? {}),
    readText: async (p) => o.files?.[p] ?? null,
    isSea: () => ('sea' in o ? o.sea : false),
    execPath: '/usr/local/lib/wirewarp/wirewarp-agent',
    script: o.script ?? '/usr/local/lib/wirewarp/wirewarp-agent.mjs',
    nodeVersion: '24.11.1',
  }
}

const DEBIAN = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
`

test('a Debian host with the kernel module, nftables and systemd, running the single executable', async () => {
  const host = fakeHost({
    commands: { 'nft --version': 'nftables v1.0.6 (Lester Gooch #5)\n' },
    paths: ['/sys/module/wireguard', '/run/systemd/system'],
    files: { '/etc/os-release': DEBIAN },
    sea: true,
  })
  const facts = await probeHost(host)
  expect(facts).toEqual({
    wireguard: 'kernel',
    nftables: 'v1.0.6',
    distribution: 'Debian GNU/Linux 12 (bookworm)',
    init: 'systemd',
    install: 'executable',
    node: '24.11.1',
  })
  expect(HostFacts.parse(facts)).toEqual(facts)
  // Every probe that runs a command is bounded in time.
  expect(host.ran).toEqual(['nft --version (timeout 3000)'])
})

test('a module not loaded yet but installed counts as kernel; only wireguard-go is userspace', async () => {
  const installed = fakeHost({ commands: { 'modinfo -n wireguard': '/lib/modules/6.1.0/wireguard.ko\n' } })
  expect((await probeHost(installed)).wireguard).toBe('kernel')
  const goOnly = fakeHost({ commands: { 'modinfo -n wireguard': 'fails', 'wireguard-go --version': 'fails' } })
  expect((await probeHost(goOnly)).wireguard).toBe('userspace')
  expect((await probeHost(fakeHost({}))).wireguard).toBe('none')
})

test('missing tools and files read as not found, a failing or hung nft as unknown, never an error', async () => {
  const bare = await probeHost(fakeHost({ script: '/srv/wirewarp/apps/agent/src/main.ts' }))
  expect(bare).toEqual({
    wireguard: 'none',
    nftables: null,
    distribution: null,
    init: 'other',
    install: 'source',
    node: '24.11.1',
  })
  expect((await probeHost(fakeHost({ commands: { 'nft --version': 'fails' } }))).nftables).toBe('unknown')
  expect((await probeHost(fakeHost({ commands: { 'nft --version': 'hangs' } }))).nftables).toBe('unknown')
  expect((await probeHost(fakeHost({ commands: { 'nft --version': 'odd output' } }))).nftables).toBe('unknown')
})

test('Alpine: OpenRC, /usr/lib/os-release, the .mjs bundle on the host’s Node', async () => {
  const alpine = await probeHost(
    fakeHost({
      paths: ['/sbin/openrc-run'],
      files: { '/usr/lib/os-release': "NAME='Alpine Linux'\nPRETTY_NAME='Alpine Linux v3.20'\n" },
    }),
  )
  expect(alpine).toMatchObject({ init: 'openrc', distribution: 'Alpine Linux v3.20', install: 'bundle' })
})

test('without node:sea, an executable that runs itself is the single executable', async () => {
  const old = fakeHost({ sea: undefined, script: '/usr/local/lib/wirewarp/wirewarp-agent' })
  expect((await probeHost(old)).install).toBe('executable')
})

test('PRETTY_NAME is unquoted, stripped of control characters and bounded', () => {
  expect(prettyName('PRETTY_NAME="Ubuntu 24.04.1 LTS"')).toBe('Ubuntu 24.04.1 LTS')
  expect(prettyName('PRETTY_NAME=Plain')).toBe('Plain')
  expect(prettyName('PRETTY_NAME="a \\"b\\""')).toBe('a "b"')
  expect(prettyName('PRETTY_NAME="x\u001b[31my"')).toBe('x[31my')
  expect(prettyName(`PRETTY_NAME="${'x'.repeat(500)}"`)).toHaveLength(128)
  expect(prettyName('NAME=none')).toBeNull()
  expect(prettyName('PRETTY_NAME=""')).toBeNull()
})

test('the protocol reads values it does not know, or too long, as unknown instead of refusing the agent', () => {
  expect(
    HostFacts.parse({
      wireguard: 'quantum',
      nftables: 'v'.repeat(100),
      distribution: 'x'.repeat(200),
      init: 'runit',
      install: 'flatpak',
      node: 'v\u0000',
    }),
  ).toEqual({
    wireguard: 'unknown',
    nftables: 'unknown',
    distribution: null,
    init: 'unknown',
    install: 'unknown',
    node: 'unknown',
  })
})
