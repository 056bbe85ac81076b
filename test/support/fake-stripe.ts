import * as http from 'http';
import { AddressInfo } from 'net';
import { randomBytes } from 'crypto';

export interface FakeCharge {
  id: string;
  paymentIntent: string;
  amount: number;
  currency: string;
  /** Stripe's fee in minor units on the charge's balance transaction (omit: no balance transaction). */
  fee?: number;
}

export interface FakeStripe {
  url: string;
  intents: Map<string, Record<string, unknown>>;
  charges: Map<string, FakeCharge>;
  requests: Array<{ method: string; path: string }>;
  close: () => Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/**
 * The few Stripe endpoints Disty calls, answered locally (tests run offline): POST
 * /v1/payment_intents, GET /v1/payment_intents/:id, GET /v1/charges/:id (balance_transaction
 * expandable) and GET /v1/balance_transactions/:id. Bodies are form-encoded like Stripe's.
 */
export async function startFakeStripe(): Promise<FakeStripe> {
  const intents = new Map<string, Record<string, unknown>>();
  const charges = new Map<string, FakeCharge>();
  const requests: Array<{ method: string; path: string }> = [];
  const bt = (c: FakeCharge) => ({ id: `txn_${c.id}`, object: 'balance_transaction', amount: c.amount, currency: c.currency, fee: c.fee, net: c.amount - (c.fee ?? 0) });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push({ method: req.method ?? '', path: url.pathname });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': id('req') });
        res.end(JSON.stringify(json));
      };
      const notFound = () => send(404, { error: { type: 'invalid_request_error', message: `No such resource: ${url.pathname}` } });
      if (!/^Bearer sk_/.test(String(req.headers.authorization ?? ''))) {
        return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      }
      const form = new URLSearchParams(body);
      const expand = [...url.searchParams.entries(), ...form.entries()].filter(([k]) => k.startsWith('expand')).map(([, v]) => v);
      let m: RegExpMatchArray | null;
      if (req.method === 'POST' && url.pathname === '/v1/payment_intents') {
        const metadata: Record<string, string> = {};
        for (const [k, v] of form.entries()) {
          const mk = /^metadata\[(.+)\]$/.exec(k);
          if (mk) metadata[mk[1]] = v;
        }
        const pi = {
          id: id('pi'),
          object: 'payment_intent',
          amount: Number(form.get('amount')),
          currency: form.get('currency'),
          description: form.get('description'),
          metadata,
          status: 'requires_payment_method',
          livemode: false,
        };
        const created = { ...pi, client_secret: `${pi.id}_secret_${randomBytes(8).toString('hex')}` };
        intents.set(pi.id, created);
        return send(200, created);
      }
      if (req.method === 'GET' && (m = /^\/v1\/payment_intents\/([\w]+)$/.exec(url.pathname))) {
        const pi = intents.get(m[1]);
        return pi ? send(200, pi) : notFound();
      }
      if (req.method === 'GET' && (m = /^\/v1\/charges\/([\w]+)$/.exec(url.pathname))) {
        const c = charges.get(m[1]);
        if (!c) return notFound();
        const balance = c.fee === undefined ? null : expand.includes('balance_transaction') ? bt(c) : `txn_${c.id}`;
        return send(200, { id: c.id, object: 'charge', amount: c.amount, currency: c.currency, payment_intent: c.paymentIntent, balance_transaction: balance });
      }
      if (req.method === 'GET' && (m = /^\/v1\/balance_transactions\/txn_([\w]+)$/.exec(url.pathname))) {
        const c = charges.get(m[1]);
        return c && c.fee !== undefined ? send(200, bt(c)) : notFound();
      }
      return notFound();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    intents,
    charges,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
