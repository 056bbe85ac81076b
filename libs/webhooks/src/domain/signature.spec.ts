import { createHmac } from 'crypto';
import fc from 'fast-check';
import { computeSignature, newWebhookSecret, parseSignatureHeader, signatureHeader, verifySignature } from './signature';
import { isExhausted, nextAttemptDelaySeconds } from './backoff';

describe('webhook signature', () => {
  const secret = 'whsec_test';
  const body = '{"id":"e1","type":"renewal_alert.raised","data":{"x":1}}';

  it('is t=<unix>,v1=<hex HMAC-SHA256 of "t.body">', () => {
    const header = signatureHeader(secret, 1_767_225_600, body);
    const expected = createHmac('sha256', secret).update(`1767225600.${body}`).digest('hex');
    expect(header).toBe(`t=1767225600,v1=${expected}`);
    expect(parseSignatureHeader(header)).toEqual({ timestamp: 1_767_225_600, signatures: [expected] });
  });

  it('verifies with the secret and refuses another secret, a changed body or an old timestamp', () => {
    const t = 1_767_225_600;
    const header = signatureHeader(secret, t, body);
    expect(verifySignature(header, secret, body, { nowSeconds: t + 10 })).toBe(true);
    expect(verifySignature(header, 'whsec_other', body, { nowSeconds: t })).toBe(false);
    expect(verifySignature(header, secret, body.replace('1', '2'), { nowSeconds: t })).toBe(false);
    expect(verifySignature(header, secret, body, { nowSeconds: t + 301 })).toBe(false);
    expect(verifySignature('garbage', secret, body, { nowSeconds: t })).toBe(false);
    expect(verifySignature(`t=${t},v1=${'0'.repeat(64)}`, secret, body, { nowSeconds: t })).toBe(false);
  });

  it('round-trips for any body and secret', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 2 ** 32 }), (b, s, t) => {
        expect(verifySignature(signatureHeader(s, t, b), s, b, { nowSeconds: t })).toBe(true);
        expect(computeSignature(s, t, b)).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });

  it('makes distinct random secrets', () => {
    expect(newWebhookSecret()).not.toBe(newWebhookSecret());
    expect(newWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });
});

describe('webhook retry backoff', () => {
  it('doubles from the base after each failed attempt, capped, and gives up after the bound', () => {
    expect([1, 2, 3, 4].map((n) => nextAttemptDelaySeconds(n, 30))).toEqual([30, 60, 120, 240]);
    expect(nextAttemptDelaySeconds(30, 60)).toBe(6 * 3600);
    expect(isExhausted(7, 8)).toBe(false);
    expect(isExhausted(8, 8)).toBe(true);
  });
});
