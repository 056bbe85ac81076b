import { createHash, randomBytes } from 'crypto';

/** Tokens, session ids and link tokens are stored only as SHA-256 hashes. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The fixed demo tokens of earlier versions (`demo_<who>_token`, e.g. `demo_admin_token`): never
 * valid, whatever a database holds (docs/security.md, "Demo credentials").
 */
export const LEGACY_DEMO_TOKEN = /^demo_[a-z0-9_]+_token$/;

export function newToken(): string {
  return `dst_${randomBytes(24).toString('base64url')}`;
}
