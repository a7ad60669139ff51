/**
 * The password rule as the dashboard states it under password fields. The protocol's
 * PASSWORD_RULE in words (a test keeps them equal): importing anything from the protocol at run
 * time would put all its zod schemas in the bundle (about 120 kB), for one sentence.
 */
export const PASSWORD_RULE =
  'At least 12 characters. Not a common password, the email address, or one character repeated.'
