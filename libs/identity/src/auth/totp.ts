import { generateSecret, generateURI, verifySync } from 'otplib';

/** TOTP (RFC 6238, 30-second steps, 6 digits) through otplib: docs/security.md §9. */
export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUrl(secret: string, email: string): string {
  return generateURI({ issuer: 'Disty', label: email, secret });
}

/**
 * The time step of a valid code (one step of clock drift either way), or null. A step at or
 * before `lastStep` (a code already used) is refused: a code signs in once.
 */
export function totpStep(secret: string, code: string | undefined, lastStep: string | number | null): number | null {
  if (!code || !/^\d{6}$/.test(code.trim())) return null;
  try {
    const r = verifySync({ secret, token: code.trim(), epochTolerance: 30 }) as { valid: boolean; timeStep?: number };
    if (!r.valid || r.timeStep === undefined) return null;
    if (lastStep !== null && r.timeStep <= Number(lastStep)) return null;
    return r.timeStep;
  } catch {
    return null;
  }
}
