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
  /** A settlement in another currency: the balance transaction's currency, amount (minor units) and exchange_rate; the fee is then in it too. */
  settlement?: { currency: string; amount: number; exchangeRate: number };
}

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  payment_intent: string;
  status: string;
  metadata: Record<string, string>;
}

export interface FakeStripe {
  url: string;
  intents: Map<string, Record<string, unknown>>;
  charges: Map<string, FakeCharge>;
  /** Balance transactions other than charges' (a payout's, with its fee), by id. */
  balanceTransactions: Map<string, Record<string, unknown>>;
  /** Refunds created through POST /v1/refunds (one per Idempotency-Key). */
  refunds: FakeRefund[];
  /** The next POST /v1/refunds answers this HTTP status (then the fake works again). */
  failNextRefund?: number;
  requests: Array<{ method: string; path: string }>;
  close: () => Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/**
 * The few Stripe endpoints Disty calls, answered locally (tests run offline): POST
 * /v1/payment_intents, GET /v1/payment_intents/:id, GET /v1/charges/:id (balance_transaction
 * expandable), GET /v1/balance_transactions/:id (a charge's, or one set in `balanceTransactions`)
 * and POST /v1/refunds (replaying the same Idempotency-Key). Bodies are form-encoded like Stripe's.
 */
export async function startFakeStripe(): Promise<FakeStripe> {
  const intents = new Map<string, Record<string, unknown>>();
  const charges = new Map<string, FakeCharge>();
  const balanceTransactions = new Map<string, Record<string, unknown>>();
  const refunds: FakeRefund[] = [];
  const byKey = new Map<string, FakeRefund>();
  const requests: Array<{ method: string; path: string }> = [];
  const bt = (c: FakeCharge) => {
    const amount = c.settlement?.amount ?? c.amount;
    return {
      id: `txn_${c.id}`,
      object: 'balance_transaction',
      amount,
      currency: c.settlement?.currency ?? c.currency,
      fee: c.fee,
      net: amount - (c.fee ?? 0),
      exchange_rate: c.settlement?.exchangeRate ?? null,
    };
  };
  const fake: FakeStripe = {
    url: '',
    intents,
    charges,
    balanceTransactions,
    refunds,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
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
        return send(200, {
          id: c.id,
          object: 'charge',
          amount: c.amount,
          currency: c.currency,
          payment_intent: c.paymentIntent,
          balance_transaction: balance,
        });
      }
      if (req.method === 'GET' && (m = /^\/v1\/balance_transactions\/([\w]+)$/.exec(url.pathname))) {
        if (balanceTransactions.has(m[1])) return send(200, balanceTransactions.get(m[1]));
        const c = charges.get(m[1].replace(/^txn_/, ''));
        return c && c.fee !== undefined ? send(200, bt(c)) : notFound();
      }
      if (req.method === 'POST' && url.pathname === '/v1/refunds') {
        if (fake.failNextRefund) {
          const status = fake.failNextRefund;
          fake.failNextRefund = undefined;
          return send(status, {
            error: {
              type: status >= 500 ? 'api_error' : 'invalid_request_error',
              message: 'Refund refused by the fake',
            },
          });
        }
        const key = String(req.headers['idempotency-key'] ?? '');
        if (key && byKey.has(key)) return send(200, byKey.get(key));
        const metadata: Record<string, string> = {};
        for (const [k, v] of form.entries()) {
          const mk = /^metadata\[(.+)\]$/.exec(k);
          if (mk) metadata[mk[1]] = v;
        }
        const refund: FakeRefund = {
          id: id('re'),
          object: 'refund',
          amount: Number(form.get('amount')),
          payment_intent: String(form.get('payment_intent')),
          status: 'succeeded',
          metadata,
        };
        refunds.push(refund);
        if (key) byKey.set(key, refund);
        return send(200, refund);
      }
      return notFound();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  return fake;
}
