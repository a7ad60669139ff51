/** Says what is wrong with a new password for an account, or null: the one rule for every place a password is set. */
import { Password } from '@wirewarp/protocol'
import { dictionary } from '@zxcvbn-ts/language-common'

// zxcvbn-ts's list of the ~49,000 passwords seen most often in breach corpora (lowercase, no
// spaces). Server-side only: the dashboard states the rule but does not ship the list.
const COMMON = new Set(dictionary['passwords-common'])

// Digits and symbols around a word are the first thing guessing tools try ("Password2024!").
const DECORATION = /^[\p{N}\p{P}\p{S}]+|[\p{N}\p{P}\p{S}]+$/gu

// A shorter core is mostly decoration; a two-letter word from the list should not refuse it.
const MIN_CORE = 4

export function passwordProblem(password: string, account: { email: string }): string | null {
  const basic = Password.safeParse(password)
  if (!basic.success) return basic.error.issues[0]?.message ?? 'Not a valid password'

  // Guessers try every case and drop spaces, so the comparisons do too.
  const folded = password.toLowerCase().replace(/\s+/g, '')
  const core = folded.replace(DECORATION, '')
  const email = account.email.trim().toLowerCase()
  const localPart = email.slice(0, email.lastIndexOf('@'))
  // Only whole matches: a password that merely contains a short local part ("joe") is not weak for it.
  if ([folded, core].some((c) => c === email || (localPart !== '' && c === localPart)))
    return 'Must not be the email address or its part before the @'
  if (COMMON.has(folded) || (core.length >= MIN_CORE && COMMON.has(core)))
    return 'Is one of the most commonly used passwords'
  return null
}
