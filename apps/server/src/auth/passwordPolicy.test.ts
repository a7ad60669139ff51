import { expect, test } from 'vitest'
import { passwordProblem } from './passwordPolicy.ts'

const account = { email: 'christopher.robin@example.com' }

test.each([
  ['too short', 'short pass', /at least 12 characters/],
  ['one character repeated', 'aaaaaaaaaaaa', /one character repeated/],
  ['one character repeated, mixed case and spaces', 'aA aA aA aA aA', /one character repeated/],
  ['the email', 'christopher.robin@example.com', /email/],
  ['the email in capitals', 'CHRISTOPHER.ROBIN@EXAMPLE.COM', /email/],
  ['the email with digits after it', 'christopher.robin@example.com2024', /email/],
  ['the email’s local part', 'Christopher.Robin', /email/],
  ['a common password', 'password1234', /common/],
  ['a common password in capitals', 'QWERTY123456', /common/],
  ['a common password with spaces', 'pass word 1234', /common/],
  ['a common word with digits and symbols around it', 'Sunshine2024!!', /common/],
  ['a common password, leading digits', '1234567football', /common/],
])('refuses %s', (_why, password, reason) => {
  expect(passwordProblem(password, account)).toMatch(reason)
})

test.each([
  // The passwords the test suites and fixtures use.
  'correct horse battery staple',
  'alice password 1',
  'a long enough password',
  'throwaway pass 1',
  // Strong ones, including a generated first-admin password.
  'plum tractor 42 lagoon',
  'Xk3$9vQ!zr7L',
  'q7VtR1mZ0cYb8NwEaP4sLu2H',
  // Shares a word with the email, but is not it.
  'christopher robin forest walk',
  // A short local part does not make every password that contains it weak.
  'joe is my favourite person',
])('accepts %s', (password) => {
  expect(passwordProblem(password, account)).toBeNull()
  expect(passwordProblem(password, { email: 'joe@example.com' })).toBeNull()
})
