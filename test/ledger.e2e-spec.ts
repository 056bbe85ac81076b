import { randomUUID } from 'crypto';
import { LedgerService } from '#disty/ledger';
import { createReseller } from './factories/commerce';
import { createTestApp, TestApp } from './support/app';

describe('General ledger through HTTP', () => {
  let t: TestApp;
  let finance: string;
  const currency = 'GBP'; // this file's own currency, so other files' postings never mix in
  beforeAll(async () => {
    t = await createTestApp();
    finance = (await t.user('finance')).auth;
  });
  afterAll(() => t.close());

  type Line = { accountCode: string; currency: string; debit?: string; credit?: string };
  const entry = (amount: string, entryDate = '2026-03-10'): { entryDate: string; memo: string; lines: Line[] } => ({
    entryDate,
    memo: 'Cash sale',
    lines: [
      { accountCode: '1000', currency, debit: amount },
      { accountCode: '4000', currency, credit: amount },
    ],
  });
  const trial = async (asOf = '2026-12-31') =>
    (await t.http().get(`/api/v1/ledger/trial-balance?asOf=${asOf}&currency=${currency}`).set('Authorization', finance).expect(200)).body;
  const row = (tb: { rows: Array<{ accountCode: string }> }, code: string) =>
    tb.rows.find((r) => r.accountCode === code) as Record<string, string>;

  it('posts a balanced manual entry that shows on the trial balance', async () => {
    const before = await trial();
    const res = await t.http().post('/api/v1/ledger/entries').set('Authorization', finance).send(entry('125.50')).expect(201);
    expect(res.body).toMatchObject({ entryDate: '2026-03-10', source: { type: 'manual' }, reversalOf: null });
    expect(res.body.lines).toEqual([
      // GBP at the seeded rate 1.95 (test/support/fx-rates.ts): 244.725 rounds half-up to 244.73.
      {
        accountCode: '1000',
        resellerId: null,
        currency,
        debit: '125.50',
        credit: '0.00',
        baseDebit: '244.73',
        baseCredit: '0.00',
      },
      {
        accountCode: '4000',
        resellerId: null,
        currency,
        debit: '0.00',
        credit: '125.50',
        baseDebit: '0.00',
        baseCredit: '244.73',
      },
    ]);
    const after = await trial();
    expect(Number(row(after, '1000').debit) - Number(row(before, '1000').debit)).toBeCloseTo(125.5, 6);
    expect(after.totals.debit).toBe(after.totals.credit);
    expect(after.balanced).toBe(true);
  });

  it('refuses an unbalanced entry with 422 unbalanced-entry and posts nothing', async () => {
    const before = await trial();
    const body = entry('10.00');
    body.lines[1] = { ...body.lines[1], credit: '9.99' };
    const res = await t.http().post('/api/v1/ledger/entries').set('Authorization', finance).send(body).expect(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body).toMatchObject({ type: 'https://disty.dev/problems/unbalanced-entry', currency });
    expect(await trial()).toEqual(before);
  });

  it('refuses a line with both sides, an unknown account, too many decimals', async () => {
    const both = entry('5.00');
    both.lines[0].credit = '5.00';
    await t.http().post('/api/v1/ledger/entries').set('Authorization', finance).send(both).expect(422);
    const unknown = entry('5.00');
    unknown.lines[0].accountCode = '9999';
    const r = await t.http().post('/api/v1/ledger/entries').set('Authorization', finance).send(unknown).expect(422);
    expect(r.body.type).toMatch(/unknown-account/);
    const decimals = entry('5.001');
    const v = await t.http().post('/api/v1/ledger/entries').set('Authorization', finance).send(decimals).expect(400);
    expect(v.body.errors[0].field).toMatch(/lines\.0\.debit/);
  });

  it('reverses an entry, zeroing its effect, and refuses a second reversal', async () => {
    const before = await trial();
    const posted = await t.http().post('/api/v1/ledger/entries').set('Authorization', finance).send(entry('42.00')).expect(201);
    const rev = await t
      .http()
      .post(`/api/v1/ledger/entries/${posted.body.id}/reverse`)
      .set('Authorization', finance)
      .send({ entryDate: '2026-03-11' })
      .expect(201);
    expect(rev.body.reversalOf).toBe(posted.body.id);
    expect(rev.body.lines.find((l: { accountCode: string }) => l.accountCode === '1000').credit).toBe('42.00');
    const after = await trial();
    expect(row(after, '1000').balance).toBe(row(before, '1000').balance);
    expect(row(after, '4000').balance).toBe(row(before, '4000').balance);
    await t.http().post(`/api/v1/ledger/entries/${posted.body.id}/reverse`).set('Authorization', finance).send({}).expect(409);
  });

  it('refuses postings into a closed month with 422 period-closed', async () => {
    await t.http().post('/api/v1/ledger/periods/2019-01/close').set('Authorization', finance).expect(200);
    const res = await t.http().post('/api/v1/ledger/entries').set('Authorization', finance).send(entry('1.00', '2019-01-15')).expect(422);
    expect(res.body.type).toBe('https://disty.dev/problems/period-closed');
    await t.http().post('/api/v1/ledger/entries').set('Authorization', finance).send(entry('1.00', '2019-02-01')).expect(201);
  });

  it('lets finance in and keeps reseller users out (403)', async () => {
    const admin = (await t.user('admin')).auth;
    await t.http().get('/api/v1/ledger/accounts').set('Authorization', admin).expect(200);
    await t.http().post('/api/v1/ledger/entries').set('Authorization', admin).send(entry('1.00')).expect(403);
    const reseller = await createReseller(t);
    for (const role of ['reseller_finance', 'reseller_admin', 'buyer', 'sales'] as const) {
      const user = await t.user(role, reseller.id);
      await t.http().get('/api/v1/ledger/trial-balance?currency=AUD').set('Authorization', user.auth).expect(403);
      await t.http().post('/api/v1/ledger/entries').set('Authorization', user.auth).send(entry('1.00')).expect(403);
    }
  });

  it('shows an account statement with opening, running and closing balances', async () => {
    // 1000 (cash), not a control account like 1100: manual entries may not touch those.
    const reseller = randomUUID();
    const post = (amount: string, date: string) =>
      t
        .http()
        .post('/api/v1/ledger/entries')
        .set('Authorization', finance)
        .send({
          entryDate: date,
          memo: 'Cash',
          lines: [
            { accountCode: '1000', resellerId: reseller, currency: 'NZD', debit: amount },
            { accountCode: '4000', resellerId: reseller, currency: 'NZD', credit: amount },
          ],
        })
        .expect(201);
    await post('100.00', '2026-01-05');
    await post('50.00', '2026-02-05');
    await post('25.25', '2026-02-20');
    const res = await t
      .http()
      .get(`/api/v1/ledger/accounts/1000/statement?from=2026-02-01&to=2026-02-28&resellerId=${reseller}`)
      .set('Authorization', finance)
      .expect(200);
    expect(res.body).toMatchObject({ currency: 'NZD', openingBalance: '100.00', closingBalance: '175.25' });
    expect(res.body.lines.map((l: { balance: string }) => l.balance)).toEqual(['150.00', '175.25']);
    expect(String(await t.get(LedgerService).balanceOf('1000', reseller, 'NZD'))).toBe('175.25');
  });

  it('searches entries by account, reseller and source type', async () => {
    const res = await t.http().get('/api/v1/ledger/entries?sourceType=reversal&pageSize=5').set('Authorization', finance).expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((e: { source: { type: string } }) => e.source.type === 'reversal')).toBe(true);
    await t.http().get('/api/v1/ledger/entries/not-a-uuid').set('Authorization', finance).expect(404);
  });

  it('honours Idempotency-Key: 20 concurrent replays post one entry; another body is 409', async () => {
    const key = `ledger-${randomUUID()}`;
    const body = { ...entry('7.77'), memo: key };
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.http().post('/api/v1/ledger/entries').set('Authorization', finance).set('Idempotency-Key', key).send(body),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM journal_entries WHERE memo = $1`, [key]);
    expect(n).toBe(1);
    const other = await t
      .http()
      .post('/api/v1/ledger/entries')
      .set('Authorization', finance)
      .set('Idempotency-Key', key)
      .send({ ...body, memo: 'different' })
      .expect(409);
    expect(other.body.type).toBe('https://disty.dev/problems/idempotency-key-reuse');
  });
});
