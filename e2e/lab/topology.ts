/**
 * The lab's network as data: namespaces, veth links with their addresses, routes, sysctls and
 * the home router's firewall. Pure: no I/O; `netns.ts` builds it.
 *
 * ```
 *   ww-inet 203.0.113.10 ─┐
 *                         │                     ┌─ ww-vps 198.51.100.1 (v-net)   server-mode agent
 *   root 203.0.113.254 ───┼── ww-wan (router) ──┤
 *   (control server)      │                     └─ ww-homer 203.0.113.130 ── NAT ── 192.168.77.1
 *                                                                                       │
 *                                   ww-vm 192.168.78.10 ── 192.168.78.1 ww-homelab 192.168.77.2
 *                                                                (client-mode agent, gateway)
 * ```
 *
 * "Public" addresses come from TEST-NET-2/3 only; 192.0.2.0/24 belongs to the machine's eth0.
 */

// Names: namespaces start with `ww-`, the lab's interfaces in the root namespace with `wwl-`.
// `down` removes exactly the names below, so it finds leftovers of a failed run without taking
// other `ww-…` namespaces (the linux driver's own test makes `ww-drv-…` ones).

export const NS = {
  wan: 'ww-wan',
  inet: 'ww-inet',
  vps: 'ww-vps',
  homer: 'ww-homer',
  homelab: 'ww-homelab',
  vm: 'ww-vm',
  // Remote-access laptops on the internet side: made only by the tests that use them (laptops.ts).
  laptopA: 'ww-lap-a',
  laptopB: 'ww-lap-b',
} as const
export type Namespace = (typeof NS)[keyof typeof NS]

export const ADDRESSES = {
  inet: '203.0.113.10',
  vpsPublic: '198.51.100.1',
  homerWan: '203.0.113.130',
  homerLan: '192.168.77.1',
  homelabLan: '192.168.77.2',
  homelabVmGateway: '192.168.78.1',
  vm: '192.168.78.10',
  /** The control server's address as agents see it (the root namespace's end of its link). */
  controlServer: '203.0.113.254',
  laptopA: '203.0.113.134',
  laptopB: '203.0.113.138',
} as const

export const VPS_PUBLIC_INTERFACE = 'v-net'
export const VM_NETWORK = '192.168.78.0/24'

export interface LinkEnd {
  /** null: the root namespace. */
  ns: Namespace | null
  ifname: string
  /** Address with prefix length. */
  address: string
}

export interface Link {
  a: LinkEnd
  b: LinkEnd
}

export interface Route {
  ns: Namespace | null
  to: string
  via: string
}

export interface Sysctl {
  ns: Namespace
  key: string
  value: string
}

export interface Topology {
  namespaces: readonly Namespace[]
  links: readonly Link[]
  routes: readonly Route[]
  sysctls: readonly Sysctl[]
  /** nftables rulesets loaded with `nft -f` in a namespace (not the agent's). */
  rulesets: readonly { ns: Namespace; text: string }[]
}

const forwarding = (ns: Namespace): Sysctl => ({ ns, key: 'net.ipv4.ip_forward', value: '1' })

/** A router that, like the internet, does not carry private source addresses. */
const WAN_RULESET = `table inet internet {
  chain forward {
    type filter hook forward priority filter; policy accept;
    ip saddr { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 } drop
  }
}
`

/** A home router: NAT out, and no inbound port forwards: nothing from the WAN starts a connection inside. */
const HOME_ROUTER_RULESET = `table inet homerouter {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "h-wan" masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    ct state established,related accept
    iifname "h-wan" drop
  }
}
`

export const LAB_TOPOLOGY: Topology = {
  namespaces: [NS.wan, NS.inet, NS.vps, NS.homer, NS.homelab, NS.vm],
  links: [
    {
      a: { ns: NS.wan, ifname: 'w-inet', address: '203.0.113.1/25' },
      b: { ns: NS.inet, ifname: 'i-net', address: `${ADDRESSES.inet}/25` },
    },
    {
      a: { ns: NS.wan, ifname: 'w-vps', address: '198.51.100.254/24' },
      b: { ns: NS.vps, ifname: VPS_PUBLIC_INTERFACE, address: `${ADDRESSES.vpsPublic}/24` },
    },
    // The home's WAN link, CGNAT-like: a /30 of its own, no inbound path to the LAN.
    {
      a: { ns: NS.wan, ifname: 'w-homer', address: '203.0.113.129/30' },
      b: { ns: NS.homer, ifname: 'h-wan', address: `${ADDRESSES.homerWan}/30` },
    },
    {
      a: { ns: NS.wan, ifname: 'w-root', address: '203.0.113.253/30' },
      b: { ns: null, ifname: 'wwl-wan', address: `${ADDRESSES.controlServer}/30` },
    },
    {
      a: { ns: NS.homer, ifname: 'h-lan', address: '192.168.77.1/24' },
      b: { ns: NS.homelab, ifname: 'l-lan', address: `${ADDRESSES.homelabLan}/24` },
    },
    {
      a: { ns: NS.homelab, ifname: 'l-vms', address: `${ADDRESSES.homelabVmGateway}/24` },
      b: { ns: NS.vm, ifname: 'm-lan', address: `${ADDRESSES.vm}/24` },
    },
  ],
  routes: [
    { ns: NS.inet, to: 'default', via: '203.0.113.1' },
    { ns: NS.vps, to: 'default', via: '198.51.100.254' },
    { ns: NS.homer, to: 'default', via: '203.0.113.129' },
    // The home router knows the VM network behind the homelab, so with the gateway off the VMs
    // still reach the internet the ordinary way (through this NAT), not through the VPS.
    { ns: NS.homer, to: VM_NETWORK, via: ADDRESSES.homelabLan },
    { ns: NS.homelab, to: 'default', via: '192.168.77.1' },
    { ns: NS.vm, to: 'default', via: ADDRESSES.homelabVmGateway },
    // The root namespace reaches only the lab's "public" ranges through the lab; these routes go
    // away with the link.
    { ns: null, to: '198.51.100.0/24', via: '203.0.113.253' },
    { ns: null, to: '203.0.113.0/25', via: '203.0.113.253' },
    { ns: null, to: '203.0.113.128/30', via: '203.0.113.253' },
  ],
  sysctls: [forwarding(NS.wan), forwarding(NS.homer), forwarding(NS.homelab)],
  rulesets: [
    { ns: NS.wan, text: WAN_RULESET },
    { ns: NS.homer, text: HOME_ROUTER_RULESET },
  ],
}

/**
 * Two laptops on the internet, each on a /30 of its own off the WAN router, for the remote-access
 * VPN: built on top of a running lab (the router must exist), removed by the lab's `down`.
 */
export const LAPTOP_TOPOLOGY: Topology = {
  namespaces: [NS.laptopA, NS.laptopB],
  links: [
    {
      a: { ns: NS.wan, ifname: 'w-lap-a', address: '203.0.113.133/30' },
      b: { ns: NS.laptopA, ifname: 'p-net', address: `${ADDRESSES.laptopA}/30` },
    },
    {
      a: { ns: NS.wan, ifname: 'w-lap-b', address: '203.0.113.137/30' },
      b: { ns: NS.laptopB, ifname: 'p-net', address: `${ADDRESSES.laptopB}/30` },
    },
  ],
  routes: [
    { ns: NS.laptopA, to: 'default', via: '203.0.113.133' },
    { ns: NS.laptopB, to: 'default', via: '203.0.113.137' },
  ],
  sysctls: [],
  rulesets: [],
}

/** Every namespace a lab can have, the optional ones first (they hang off the lab's router). */
export const ALL_TOPOLOGIES: readonly Topology[] = [LAPTOP_TOPOLOGY, LAB_TOPOLOGY]
