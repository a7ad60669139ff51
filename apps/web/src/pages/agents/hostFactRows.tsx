/** What the agent's host offers (WireGuard, nftables, distribution, init system, agent build), as fact rows. */
import type { Agent } from '@wirewarp/protocol'
import type { ReactNode } from 'react'
import { factText } from '../../components/FactList.tsx'
import { initLabels, installLabels, wireguardLabels } from './agentLabels.ts'

export function hostFactRows(agent: Agent): [string, ReactNode][] {
  const h = agent.host
  if (!h) return [['Host', factText(null)]]
  return [
    ['WireGuard', wireguardLabels[h.wireguard]],
    ['nftables', h.nftables === null ? 'not found' : h.nftables === 'unknown' ? 'unknown' : `nftables ${h.nftables}`],
    ['Distribution', factText(h.distribution)],
    ['Init system', initLabels[h.init]],
    ['Agent build', `${installLabels[h.install]}, Node ${h.node.replace(/^v/, '')}`],
  ]
}
