import * as argon2 from 'argon2';
import { FieldError, validationError } from '#disty/core';

/** argon2id with the library's defaults (64 MiB, 3 passes): docs/security.md §6. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** A hash nobody's password matches: verified against when no user has the email, so timing says nothing. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  const h = hash ?? (await (decoy ??= hashPassword(`decoy-${Math.random()}`)));
  try {
    return (await argon2.verify(h, password)) && hash !== null;
  } catch {
    return false;
  }
}

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** The password policy (docs/security.md §6): 12 to 256 characters, not the email nor its local part. */
export function passwordProblems(password: string, email: string): FieldError[] {
  const problems: FieldError[] = [];
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    problems.push({ field: 'password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` });
  } else if (password.length > MAX_PASSWORD_LENGTH) {
    problems.push({ field: 'password', message: `must be at most ${MAX_PASSWORD_LENGTH} characters` });
  } else {
    const p = password.trim().toLowerCase();
    const e = email.toLowerCase();
    if (p === e || p === e.split('@')[0]) problems.push({ field: 'password', message: 'must not be your email address' });
  }
  return problems;
}

export function assertPasswordPolicy(password: string, email: string): void {
  const problems = passwordProblems(password, email);
  if (problems.length) throw validationError(`password ${problems[0].message}`, problems);
}
