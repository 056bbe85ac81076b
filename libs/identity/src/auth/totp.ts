import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import { generateSync, verifySync } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';

/**
 * TOTP (RFC 6238, 30-second steps, 6 digits) through otplib's TOTP module (docs/security.md §9),
 * with Node's crypto for HMAC and a plain RFC 4648 base32 (otplib's default plugins are ES modules
 * only, which the test runner cannot load).
 */
const crypto = {
  name: 'node',
  hmac: (algorithm: string, key: Uint8Array, data: Uint8Array) =>
    new Uint8Array(createHmac(algorithm.toLowerCase(), key).update(data).digest()),
  randomBytes: (length: number) => new Uint8Array(randomBytes(length)),
  constantTimeEqual: (a: string | Uint8Array, b: string | Uint8Array) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  },
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(data: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/=+$/, '').replace(/\s/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error('invalid base32');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

const base32 = { name: 'rfc4648', encode: base32Encode, decode: base32Decode };
const plugins = { crypto, base32 } as unknown as { crypto: never; base32: never };

/** A new 160-bit secret, base32. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

export function totpUrl(secret: string, email: string): string {
  return generateTOTP({ issuer: 'Disty', label: email, secret });
}

/** The current code (tests, and an operator checking a device): `offsetSeconds` from now. */
export function totpCode(secret: string, offsetSeconds = 0): string {
  return generateSync({ ...plugins, secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });
}

/**
 * The time step of a valid code (one step of clock drift either way), or null. A step at or
 * before `lastStep` (a code already used) is refused: a code signs in once.
 */
export function totpStep(secret: string, code: string | undefined, lastStep: string | number | null): number | null {
  if (!code || !/^\d{6}$/.test(code.trim())) return null;
  try {
    const r = verifySync({ ...plugins, secret, token: code.trim(), epochTolerance: 30 }) as {
      valid: boolean;
      timeStep?: number;
    };
    if (!r.valid || r.timeStep === undefined) return null;
    if (lastStep !== null && r.timeStep <= Number(lastStep)) return null;
    return r.timeStep;
  } catch {
    return null;
  }
}
