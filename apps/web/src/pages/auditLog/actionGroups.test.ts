import { expect, test } from 'vitest'
import { actionGroups } from './actionGroups.ts'

test('actions are grouped by area, each option naming its group', () => {
  const groups = actionGroups([
    'port_forward.create',
    'auth.login',
    'port_forward.create_from_template',
    'legacy.thing',
  ])
  expect(groups.map((g) => [g.label, g.prefix, g.every])).toEqual([
    ['legacy', 'legacy.', 'Every legacy action'],
    ['Port forwards', 'port_forward.', 'Every port forward action'],
    ['Sign-ins', 'auth.', 'Every sign-in action'],
  ])
  expect(groups[1]!.actions).toEqual([
    { action: 'port_forward.create', label: 'Port forward: create' },
    { action: 'port_forward.create_from_template', label: 'Port forward: create from template' },
  ])
})
