/** Small pieces of nftables syntax shared by the rulesets: quoted names, element lists, removal. Pure. */
import { NFT_TABLE } from './dataplaneIds.ts'

/** An interface name as a quoted nft string; refuses names that could break out of the quotes. */
export function nftString(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new Error(`"${name}" is not a usable interface name`)
  return `"${name}"`
}

/** `elements = { … }`, one element per line; nothing for an empty set (nft refuses `{ }`). */
export function nftElements(elements: readonly string[], indent: string): string[] {
  if (elements.length === 0) return []
  return [
    `${indent}elements = {`,
    ...elements.map((e, i) => `${indent}  ${e}${i < elements.length - 1 ? ',' : ''}`),
    `${indent}}`,
  ]
}

/** Removes the agent's table; declaring it first makes this work when there is none. */
export function renderNftRemoval(): string {
  return `table inet ${NFT_TABLE} {}\ndelete table inet ${NFT_TABLE}\n`
}
