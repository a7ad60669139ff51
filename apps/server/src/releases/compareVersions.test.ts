import { expect, test } from 'vitest'
import { compareVersions } from './compareVersions.ts'

test('semver precedence, as in semver.org §11', () => {
  const ordered = [
    '0.1.0',
    '0.9.0',
    '0.10.0',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '2.0.0',
  ]
  for (let i = 0; i < ordered.length; i++)
    for (let j = 0; j < ordered.length; j++)
      expect(Math.sign(compareVersions(ordered[i]!, ordered[j]!)), `${ordered[i]} vs ${ordered[j]}`).toBe(
        Math.sign(i - j),
      )
})
