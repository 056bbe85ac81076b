import { defineErrors, ProblemSpec } from '#disty/core';

export enum IdentityErrorCode {
  EmailTaken = 'conflict',
  RoleNeedsReseller = 'validation',
  UnknownReseller = 'not-found',
  /** Wrong email or password, a locked account, an inactive user: one answer (docs/security.md §7). */
  InvalidCredentials = 'unauthenticated',
  /** The password was right; the account has a second factor: send `totpCode` too. */
  TotpRequired = 'totp-required',
  TotpCodeInvalid = 'totp-code-invalid',
  TotpState = 'totp-state',
  PasswordLinkInvalid = 'password-link-invalid',
  CsrfTokenInvalid = 'csrf-token-invalid',
  TooManySignIns = 'too-many-requests',
  CannotChangeSelf = 'cannot-change-self',
}

export const IDENTITY_ERRORS: Record<IdentityErrorCode, ProblemSpec> = {
  [IdentityErrorCode.EmailTaken]: { status: 409, title: 'Conflict' },
  [IdentityErrorCode.RoleNeedsReseller]: { status: 400, title: 'Invalid request' },
  [IdentityErrorCode.UnknownReseller]: { status: 404, title: 'Not found' },
  [IdentityErrorCode.InvalidCredentials]: { status: 401, title: 'Authentication required' },
  [IdentityErrorCode.TotpRequired]: { status: 401, title: 'A one-time code is required' },
  [IdentityErrorCode.TotpCodeInvalid]: { status: 422, title: 'The one-time code is not right' },
  [IdentityErrorCode.TotpState]: { status: 409, title: 'Two-factor sign-in is not in that state' },
  [IdentityErrorCode.PasswordLinkInvalid]: { status: 422, title: 'The link is not valid' },
  [IdentityErrorCode.CsrfTokenInvalid]: { status: 403, title: 'CSRF token missing or wrong' },
  [IdentityErrorCode.TooManySignIns]: { status: 429, title: 'Too many requests' },
  [IdentityErrorCode.CannotChangeSelf]: { status: 422, title: 'You cannot do this to your own user' },
};

export const identityError = defineErrors(IDENTITY_ERRORS);
