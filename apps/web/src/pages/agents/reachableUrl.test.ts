import { describe, expect, test } from 'vitest'
import { unreachableReason } from './reachableUrl.ts'

describe('unreachableReason', () => {
  test.each([
    ["curl -fsSL 'http://127.0.0.1:8080/install/server' | sh", /this machine itself/],
    ['curl http://localhost:8080/install', /this machine itself/],
    ['curl https://192.168.1.5/install', /private address/],
    ['curl https://172.20.0.2/install', /private address/],
    ['curl https://[fd00::1]/install', /private address/],
    ['curl http://203.0.113.9/install', /plain http/],
  ])('%s is flagged', (command, reason) => {
    expect(unreachableReason(command)).toMatch(reason)
  })
  test.each([['curl -fsSL https://wirewarp.example.com/install/server | sh'], ['curl https://172.32.0.1/x']])(
    '%s is fine',
    (command) => {
      expect(unreachableReason(command)).toBeNull()
    },
  )
})
