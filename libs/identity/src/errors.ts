import { defineErrors, ProblemSpec } from '#disty/core';

export enum IdentityErrorCode {
  EmailTaken = 'conflict',
  RoleNeedsReseller = 'validation',
  UnknownReseller = 'not-found',
}

export const IDENTITY_ERRORS: Record<IdentityErrorCode, ProblemSpec> = {
  [IdentityErrorCode.EmailTaken]: { status: 409, title: 'Conflict' },
  [IdentityErrorCode.RoleNeedsReseller]: { status: 400, title: 'Invalid request' },
  [IdentityErrorCode.UnknownReseller]: { status: 404, title: 'Not found' },
};

export const identityError = defineErrors(IDENTITY_ERRORS);
