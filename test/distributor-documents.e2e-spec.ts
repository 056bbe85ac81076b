import { addDays } from '#disty/core';
import { JournalReadService } from '#disty/ledger';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, realToday, reconcile as reconcileBooks, signedStripeEvent, startBillingTestApp, unixOf } from './support/billing';

/**
 * Issue 16 (distributor accounting II): credit notes as documents (list, PDF, credit_note.issued),
 * write-offs, payment.received and refund.paid. One database for the file: billing runs (in date
 * order) and reconciliation are global.
 */

type Invoice = {
  id: string;
  number: string;
  status: string;
  dueDate: string;
  amountDue: string;
  amountWrittenOff: string;
  totals: Record<'HARDWARE' | 'CLOUD' | 'all', { net: string; tax: string; gross: string }>;
  lines: Array<{ id: string; creditLine: string; net: string }>;
};

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) as rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV rows as objects keyed by the header. */
function csvRecords(text: string): { header: string[]; records: Array<Record<string, string>> } {
  const [header, ...rows] = parseCsv(text);
  return { header, records: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

const cents = (s: string) => Math.round(Number(s || '0') * 100);

/** The text drawn in an uncompressed pdfkit PDF (hex-encoded TJ strings). */
function pdfText(pdf: Buffer): string {
  const out: string[] = [];
  for (const m of pdf.toString('latin1').matchAll(/\[([^\]]*)\]\s*TJ/g)) {
    out.push([...m[1].matchAll(/<([0-9a-fA-F]+)>/g)].map((h) => Buffer.from(h[1], 'hex').toString('latin1')).join(''));
  }
  return out.join('\n');
}

describe('issue 16: credit notes, write-offs and document events', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;
  let stripe: Awaited<ReturnType<typeof startBillingTestApp>>['stripe'];

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close, stripe } = await startBillingTestApp('documents'));
  });
  afterAll(() => close?.());

  // Billing runs of one database go in date order: each test bills later than the one before.
  const T = realToday();
  const http = () => t.http();

  /** A reseller with one hardware line shipped on `shippedOn` and billed on `billOn`: its invoice. */
  const billedReseller = async (shippedOn: string, billOn: string, spec: Commerce.ResellerSpec = {}, unitPrice = '1000.00') => {
    const reseller = await f.createReseller(t, spec);
    const product = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: reseller.currency, unitPrice }],
    });
    const o = await http()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'Docs Co' },
        lines: [{ sku: product.sku, quantity: 1 }],
      });
    expect(o.status).toBe(201);
    await http()
      .post(`/api/v1/orders/${o.body.id}/lines/${o.body.lines[0].id}/ship`)
      .set('Authorization', ADMIN)
      .send({ shippedOn })
      .expect(200);
    await billPeriod(t, billOn, finance);
    const list = await http().get('/api/v1/invoices').query({ resellerId: reseller.id }).set('Authorization', finance).expect(200);
    expect(list.body.items).toHaveLength(1);
    return { reseller, invoice: await invoice(list.body.items[0].id) };
  };
  const invoice = async (id: string): Promise<Invoice> =>
    (await http().get(`/api/v1/invoices/${id}`).set('Authorization', finance).expect(200)).body;
  const pay = (resellerId: string, amount: string, receivedOn: string, currency = 'AUD') =>
    http()
      .post('/api/v1/payments')
      .set('Authorization', finance)
      .send({
        resellerId,
        amount,
        currency,
        method: 'BANK_TRANSFER',
        reference: `NAB ${f.uniq()}`,
        receivedOn,
      })
      .expect(201);
  const writeOff = (invoiceId: string, body: Record<string, unknown>, key?: string) => {
    const req = http().post(`/api/v1/invoices/${invoiceId}/write-off`).set('Authorization', finance);
    return (key ? req.set('Idempotency-Key', key) : req).send(body);
  };
  const aging = async (resellerId: string, asOf: string) =>
    (await http().get('/api/v1/reports/ar-aging').query({ asOf, resellerId }).set('Authorization', finance).expect(200)).body;
  const trialBalance = async () =>
    (await http().get('/api/v1/ledger/trial-balance').query({ asOf: T, currency: 'AUD' }).set('Authorization', finance).expect(200))
      .body as {
      rows: Array<{ accountCode: string; debit: string; credit: string; balance: string }>;
    };
  const pdf = async (path: string, auth: string) => {
    const res = await http()
      .get(path)
      .set('Authorization', auth)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    return {
      status: res.status,
      type: String(res.headers['content-type']),
      text: res.status === 200 ? pdfText(res.body as Buffer) : '',
    };
  };

  it('writes off what is left of a 95-day overdue invoice: 6200 net + 2100 tax against AR, aging drops it, reconciliation stays green', async () => {
    const { reseller, invoice: inv } = await billedReseller(addDays(T, -126), addDays(T, -125));
    expect(inv.totals.all).toEqual({ net: '1000.00', tax: '100.00', gross: '1100.00' });
    await pay(reseller.id, '550.00', addDays(T, -100));
    const before = await aging(reseller.id, T);
    expect(before.items).toEqual([
      expect.objectContaining({
        creditLine: 'HARDWARE',
        buckets: expect.objectContaining({ '90+': '550.00' }),
        total: '550.00',
      }),
    ]);
    const tb0 = await trialBalance();

    // Bad input first: nothing is written.
    const over = await writeOff(inv.id, { amount: '550.01', reason: 'Liquidation' });
    expect(over.status).toBe(422);
    expect(over.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(over.body).toMatchObject({
      type: 'https://disty.dev/problems/over-write-off',
      open: '550.00',
      requested: '550.01',
    });
    expect(over.body.errors).toEqual([expect.objectContaining({ field: 'amount' })]);
    for (const amount of ['0', '0.00', '-10.00']) {
      const bad = await writeOff(inv.id, { amount, reason: 'Liquidation' });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body.errors)).toContain('amount');
    }
    const noReason = await writeOff(inv.id, { amount: '100.00' });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body.errors)).toContain('reason');
    expect((await writeOff(inv.id, { amount: '100.00', reason: '   ' })).status).toBe(400);
    expect((await invoice(inv.id)).amountDue).toBe('550.00');

    // The write-off, replayed with its Idempotency-Key: one document, one entry.
    const key = `wo-${f.uniq()}`;
    const res = await writeOff(inv.id, { amount: '550.00', reason: 'Reseller in liquidation' }, key);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      invoiceId: inv.id,
      invoiceNumber: inv.number,
      resellerId: reseller.id,
      currency: 'AUD',
      amount: '550.00',
      net: '500.00',
      tax: '50.00',
      parts: { HARDWARE: '550.00', CLOUD: '0.00' },
      reason: 'Reseller in liquidation',
      writtenOffOn: T,
    });
    const replay = await writeOff(inv.id, { amount: '550.00', reason: 'Reseller in liquidation' }, key);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(res.body.id);

    const after = await invoice(inv.id);
    expect(after).toMatchObject({ status: 'WRITTEN_OFF', amountDue: '0.00', amountWrittenOff: '550.00' });
    expect((await aging(reseller.id, T)).items).toEqual([]);
    expect((await aging(reseller.id, addDays(T, -1))).items).toHaveLength(1); // as of yesterday it was still open
    const rec = await reconcileBooks(t, finance);
    expect(rec.differences).toEqual([]);
    expect(rec.reconciled).toBe(true);
    expect((await reconcileBooks(t, finance, T)).reconciled).toBe(true);

    // The ledger moved by exactly the write-off: 6200 +500, 2100 −50 (debit), 1100 −550.
    const tb1 = await trialBalance();
    const delta = (code: string, side: 'debit' | 'credit') => {
      const a = tb0.rows.find((r) => r.accountCode === code)?.[side] ?? '0';
      const b = tb1.rows.find((r) => r.accountCode === code)?.[side] ?? '0';
      return (Number(b) - Number(a)).toFixed(2);
    };
    expect(delta('6200', 'debit')).toBe('500.00');
    expect(delta('2100', 'debit')).toBe('50.00');
    expect(delta('1100', 'credit')).toBe('550.00');
    const entries = await http()
      .get('/api/v1/ledger/entries')
      .query({ sourceType: 'write_off', resellerId: reseller.id })
      .set('Authorization', finance)
      .expect(200);
    expect(entries.body.total).toBe(1);

    // Reconciliation explains written-off amounts by their documents: a written-off column moved
    // by hand (without a write-off, a movement or an entry) is reported, and green again once undone.
    await t.db.query(`UPDATE invoices SET hardware_written_off = hardware_written_off - 1 WHERE id = $1`, [inv.id]);
    try {
      const tampered = await reconcileBooks(t, finance);
      expect(tampered.reconciled).toBe(false);
      expect(tampered.differences).toEqual(
        expect.arrayContaining([expect.objectContaining({ check: 'write-off-documents', invoiceId: inv.id })]),
      );
    } finally {
      await t.db.query(`UPDATE invoices SET hardware_written_off = hardware_written_off + 1 WHERE id = $1`, [inv.id]);
    }
    expect((await reconcileBooks(t, finance)).reconciled).toBe(true);

    // Nothing more is open: a second write-off is refused.
    expect((await writeOff(inv.id, { amount: '0.01', reason: 'again' })).status).toBe(422);

    // Listed separately, by date.
    const report = await http()
      .get('/api/v1/reports/write-offs')
      .query({ from: T, to: T, resellerId: reseller.id })
      .set('Authorization', finance)
      .expect(200);
    expect(report.body.items).toEqual([expect.objectContaining({ id: res.body.id, amount: '550.00', net: '500.00', tax: '50.00' })]);
    expect(report.body.totals).toEqual([{ currency: 'AUD', amount: '550.00', net: '500.00', tax: '50.00' }]);
    const earlier = await http()
      .get('/api/v1/reports/write-offs')
      .query({ to: addDays(T, -1), resellerId: reseller.id })
      .set('Authorization', finance)
      .expect(200);
    expect(earlier.body.items).toEqual([]);
    // Only finance and admin write off.
    const rf = await t.user('reseller_finance', reseller.id);
    expect(
      (await http().post(`/api/v1/invoices/${inv.id}/write-off`).set('Authorization', rf.auth).send({ amount: '1.00', reason: 'x' }))
        .status,
    ).toBe(403);
  });

  it('credits a paid invoice, lists and renders the note (an adjustment note in AU), refunds the credit, and announces all three documents', async () => {
    const { reseller, invoice: inv } = await billedReseller(addDays(T, -61), addDays(T, -60));
    const radmin = await t.user('reseller_admin', reseller.id);
    const hook = await http()
      .post('/api/v1/webhooks')
      .set('Authorization', radmin.auth)
      .send({
        url: 'https://hooks.example.com/disty',
        events: ['credit_note.issued', 'payment.received', 'refund.paid'],
      })
      .expect(201);
    await pay(reseller.id, '1100.00', addDays(T, -59));
    expect((await invoice(inv.id)).status).toBe('PAID');

    const cn = await http()
      .post(`/api/v1/invoices/${inv.id}/credit-notes`)
      .set('Authorization', finance)
      .send({ lines: [{ invoiceLineId: inv.lines[0].id, amount: '200.00' }], reason: 'Damaged on arrival' })
      .expect(201);
    expect(cn.body).toMatchObject({
      number: expect.stringMatching(/^CN-\d{4}-\d{6}$/),
      invoiceNumber: inv.number,
      reason: 'Damaged on arrival',
    });

    const list = await http().get('/api/v1/credit-notes').query({ resellerId: reseller.id }).set('Authorization', finance).expect(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
    expect(list.body.items[0]).toMatchObject({
      id: cn.body.id,
      invoiceId: inv.id,
      totals: { all: { net: '200.00', tax: '20.00', gross: '220.00' } },
    });
    expect(
      (await http().get('/api/v1/credit-notes').query({ invoiceId: inv.id, from: T, to: T }).set('Authorization', finance).expect(200)).body
        .total,
    ).toBe(1);
    expect(
      (
        await http()
          .get('/api/v1/credit-notes')
          .query({ resellerId: reseller.id, to: addDays(T, -1) })
          .set('Authorization', finance)
          .expect(200)
      ).body.total,
    ).toBe(0);
    expect((await http().get('/api/v1/credit-notes').query({ from: 'yesterday' }).set('Authorization', finance)).status).toBe(400);

    // Tenant scope: the reseller sees its own; another reseller sees nothing and gets 404.
    const own = await t.user('reseller_finance', reseller.id);
    const mine = await http().get('/api/v1/credit-notes').set('Authorization', own.auth).expect(200);
    expect(mine.body.items.map((n: { id: string }) => n.id)).toEqual([cn.body.id]);
    await http().get(`/api/v1/credit-notes/${cn.body.id}`).set('Authorization', own.auth).expect(200);
    const other = await f.createReseller(t);
    const stranger = await t.user('reseller_finance', other.id);
    expect(
      (await http().get('/api/v1/credit-notes').query({ resellerId: reseller.id }).set('Authorization', stranger.auth).expect(200)).body
        .total,
    ).toBe(0);
    await http().get(`/api/v1/credit-notes/${cn.body.id}`).set('Authorization', stranger.auth).expect(404);
    expect((await pdf(`/api/v1/credit-notes/${cn.body.id}/pdf`, stranger.auth)).status).toBe(404);

    const doc = await pdf(`/api/v1/credit-notes/${cn.body.id}/pdf`, own.auth);
    expect(doc.status).toBe(200);
    expect(doc.type).toMatch(/^application\/pdf/);
    expect(doc.text).toContain('Adjustment note');
    expect(doc.text).toContain(cn.body.number);
    expect(doc.text).toContain(inv.number);
    expect(doc.text).toContain('Damaged on arrival');
    expect(doc.text).toContain('220.00');

    // The credit (220.00 beyond a paid invoice) is refundable.
    const refund = await http()
      .post('/api/v1/refunds')
      .set('Authorization', finance)
      .send({
        resellerId: reseller.id,
        amount: '220.00',
        currency: 'AUD',
        reference: `REF ${f.uniq()}`,
        paidOn: T,
      })
      .expect(201);
    const rec = await reconcileBooks(t, finance);
    expect(rec.differences).toEqual([]);

    const deliveries = (await http().get(`/api/v1/webhooks/${hook.body.id}/deliveries`).set('Authorization', radmin.auth).expect(200)).body
      .items as Array<{ event: string }>;
    expect(deliveries.map((d) => d.event).sort()).toEqual(['credit_note.issued', 'payment.received', 'refund.paid']);
    const outbox: Array<{ event: string; payload: Record<string, unknown> }> = await t.db.query(
      `SELECT event, payload FROM webhook_deliveries WHERE webhook_id = $1`,
      [hook.body.id],
    );
    const payload = (e: string) => outbox.find((d) => d.event === e)!.payload;
    expect(payload('credit_note.issued')).toMatchObject({
      creditNoteId: cn.body.id,
      number: cn.body.number,
      invoiceNumber: inv.number,
      reason: 'Damaged on arrival',
    });
    expect(payload('payment.received')).toMatchObject({
      resellerId: reseller.id,
      amount: '1100.00',
      method: 'BANK_TRANSFER',
    });
    expect(payload('refund.paid')).toMatchObject({ refundId: refund.body.id, amount: '220.00' });

    // Elsewhere (or on an invoice that charged no tax) it is a credit note.
    const nz = await billedReseller(addDays(T, -50), addDays(T, -49), { country: 'NZ' });
    const nzNote = await http()
      .post(`/api/v1/invoices/${nz.invoice.id}/credit-notes`)
      .set('Authorization', finance)
      .send({ lines: [{ invoiceLineId: nz.invoice.lines[0].id, amount: '10.00' }], reason: 'Price match' })
      .expect(201);
    const nzDoc = await pdf(`/api/v1/credit-notes/${nzNote.body.id}/pdf`, finance);
    expect(nzDoc.text).toContain('Credit note');
    expect(nzDoc.text).not.toContain('Adjustment note');
  });

  it('gives a statement of account (JSON, CSV, PDF): opening balance + movements = closing, aging as of `to`, per reseller', async () => {
    const { reseller, invoice: inv } = await billedReseller(addDays(T, -41), addDays(T, -40));
    await pay(reseller.id, '300.00', addDays(T, -35));
    const cn = await http()
      .post(`/api/v1/invoices/${inv.id}/credit-notes`)
      .set('Authorization', finance)
      .send({ lines: [{ invoiceLineId: inv.lines[0].id, amount: '100.00' }], reason: 'Late delivery' })
      .expect(201);
    const wo = await writeOff(inv.id, { amount: '100.00', reason: 'Disputed freight' }).expect(201);

    type Line = {
      date: string;
      type: string;
      reference: string | null;
      debit: string;
      credit: string;
      balance: string;
    };
    type Statement = {
      resellerId: string;
      from: string;
      to: string;
      currencies: Array<{
        currency: string;
        openingBalance: string;
        lines: Line[];
        closingBalance: string;
        aging: { buckets: Record<string, string>; total: string };
      }>;
    };
    const get = async (from: string, to: string, auth = finance) =>
      (await http().get(`/api/v1/resellers/${reseller.id}/statement`).query({ from, to }).set('Authorization', auth).expect(200))
        .body as Statement;

    const s = await get(addDays(T, -45), T);
    expect(s.currencies).toHaveLength(1);
    const aud = s.currencies[0];
    expect(aud.openingBalance).toBe('0.00');
    expect(aud.lines.map((l) => [l.type, l.reference, l.debit, l.credit])).toEqual([
      ['INVOICE', inv.number, '1100.00', '0.00'],
      ['PAYMENT', null, '0.00', '300.00'],
      ['CREDIT_NOTE', cn.body.number, '0.00', '110.00'],
      ['WRITE_OFF', inv.number, '0.00', '100.00'],
    ]);
    expect(aud.lines.map((l) => l.balance)).toEqual(['1100.00', '800.00', '690.00', '590.00']);
    const moved = aud.lines.reduce((sum, l) => sum + cents(l.debit) - cents(l.credit), 0);
    expect(cents(aud.openingBalance) + moved).toBe(cents(aud.closingBalance));
    expect(aud.closingBalance).toBe('590.00');
    // Due T-10: 10 days past due as of T.
    expect(aud.aging).toEqual({
      buckets: { current: '0.00', '1-30': '590.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.00' },
      total: '590.00',
    });
    expect(wo.body.amount).toBe('100.00');

    // A later period opens with what was owed; the earlier one closes with it.
    const later = await get(addDays(T, -38), T);
    expect(later.currencies[0].openingBalance).toBe('1100.00');
    expect(later.currencies[0].closingBalance).toBe('590.00');
    const earlier = await get(addDays(T, -45), addDays(T, -38));
    expect(earlier.currencies[0].closingBalance).toBe('1100.00');
    expect(earlier.currencies[0].aging.buckets.current).toBe('1100.00');

    // CSV: the same numbers, opening + movements = closing.
    const csv = await http()
      .get(`/api/v1/resellers/${reseller.id}/statement`)
      .query({ from: addDays(T, -45), to: T })
      .set('Authorization', finance)
      .set('Accept', 'text/csv')
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const { header, records } = csvRecords(csv.text);
    expect(header).toEqual(['currency', 'date', 'type', 'reference', 'description', 'debit', 'credit', 'balance']);
    const opening = records.find((r) => r.type === 'OPENING')!;
    const closing = records.find((r) => r.type === 'CLOSING')!;
    const lines = records.filter((r) => !['OPENING', 'CLOSING', 'AGING'].includes(r.type));
    expect(lines).toHaveLength(4);
    expect(cents(opening.balance) + lines.reduce((sum, r) => sum + cents(r.debit) - cents(r.credit), 0)).toBe(cents(closing.balance));
    expect(closing.balance).toBe('590.00');
    expect(records.filter((r) => r.type === 'AGING').map((r) => r.reference)).toEqual(['current', '1-30', '31-60', '61-90', '90+']);

    // PDF.
    const doc = await http()
      .get(`/api/v1/resellers/${reseller.id}/statement`)
      .query({ from: addDays(T, -45), to: T })
      .set('Authorization', finance)
      .set('Accept', 'application/pdf')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(doc.status).toBe(200);
    expect(doc.headers['content-type']).toMatch(/^application\/pdf/);
    const text = pdfText(doc.body as Buffer);
    expect(text).toContain('Statement of account');
    expect(text).toContain(inv.number);
    expect(text).toContain('590.00');

    // The reseller's own users may read it; another reseller's get a 404; bad periods are 400.
    const own = await t.user('reseller_finance', reseller.id);
    expect((await get(addDays(T, -45), T, own.auth)).currencies[0].closingBalance).toBe('590.00');
    const other = await f.createReseller(t);
    const stranger = await t.user('reseller_finance', other.id);
    await http().get(`/api/v1/resellers/${reseller.id}/statement`).set('Authorization', stranger.auth).expect(404);
    const backwards = await http()
      .get(`/api/v1/resellers/${reseller.id}/statement`)
      .query({ from: T, to: addDays(T, -1) })
      .set('Authorization', finance);
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual([expect.objectContaining({ field: 'from' })]);
    expect(
      (await http().get(`/api/v1/resellers/${reseller.id}/statement`).query({ to: 'soon' }).set('Authorization', finance)).status,
    ).toBe(400);
  });

  it('exports the journal as CSV that, re-imported, sums to the trial balance per account; invoices, credit notes and payments too', async () => {
    const exportJournal = async (from: string, to: string) => {
      const res = await http().get('/api/v1/exports/journal').query({ from, to }).set('Authorization', finance).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      return csvRecords(res.text);
    };
    const sums = (records: Array<Record<string, string>>) => {
      const out = new Map<string, { debit: number; credit: number }>();
      for (const r of records) {
        const s = out.get(r.account_code) ?? { debit: 0, credit: 0 };
        s.debit += cents(r.debit);
        s.credit += cents(r.credit);
        out.set(r.account_code, s);
      }
      return out;
    };
    const tb = async (asOf: string) => {
      const body = (
        await http().get('/api/v1/ledger/trial-balance').query({ asOf, currency: 'AUD' }).set('Authorization', finance).expect(200)
      ).body as {
        rows: Array<{ accountCode: string; debit: string; credit: string }>;
      };
      return new Map(body.rows.map((r) => [r.accountCode, { debit: cents(r.debit), credit: cents(r.credit) }]));
    };

    // Everything up to today: the export equals the trial balance, account by account.
    const all = await exportJournal('2000-01-01', T);
    expect(all.header).toEqual([
      'date',
      'entry_id',
      'entry_memo',
      'account_code',
      'account_name',
      'reseller_id',
      'debit',
      'credit',
      'currency',
      'source_type',
      'source_id',
      'base_currency',
      'base_debit',
      'base_credit',
    ]);
    expect(all.records.length).toBeGreaterThan(10);
    const imported = sums(all.records);
    const balance = await tb(T);
    for (const [code, s] of balance) {
      if (!s.debit && !s.credit) continue;
      expect({ code, ...imported.get(code) }).toEqual({ code, ...s });
    }
    for (const code of imported.keys()) expect(balance.has(code)).toBe(true);
    // The base columns sum to the whole business's trial balance in the reporting currency.
    const base = (
      await http().get('/api/v1/ledger/trial-balance').query({ asOf: T, currency: 'BASE' }).set('Authorization', finance).expect(200)
    ).body as {
      rows: Array<{ accountCode: string; debit: string; credit: string }>;
    };
    const importedBase = sums(all.records.map((r) => ({ ...r, debit: r.base_debit, credit: r.base_credit })));
    for (const r of base.rows) {
      if (!cents(r.debit) && !cents(r.credit)) continue;
      expect({ code: r.accountCode, ...importedBase.get(r.accountCode) }).toEqual({
        code: r.accountCode,
        debit: cents(r.debit),
        credit: cents(r.credit),
      });
    }
    expect(all.records.every((r) => r.base_currency === 'AUD')).toBe(true);
    expect(all.records.every((r) => r.source_type && r.source_id && r.entry_id && r.account_name)).toBe(true);
    expect([...new Set(all.records.map((r) => r.source_type))]).toEqual(
      expect.arrayContaining(['invoice', 'payment', 'credit_note', 'write_off', 'credit_refund']),
    );

    // Read 7 lines at a time (keyset batches), the rows are the same, in the same order.
    const batched: string[] = [];
    for await (const r of t.get(JournalReadService).journalLines('2000-01-01', T, 7)) batched.push(JSON.stringify(r));
    expect(batched).toEqual(all.records.map((r) => JSON.stringify(r)));

    // A period: the export equals the movement of the trial balance over it.
    const from = addDays(T, -45);
    const period = sums((await exportJournal(from, T)).records);
    const before = await tb(addDays(from, -1));
    for (const [code, s] of balance) {
      const b = before.get(code) ?? { debit: 0, credit: 0 };
      const p = period.get(code) ?? { debit: 0, credit: 0 };
      expect({ code, debit: p.debit, credit: p.credit }).toEqual({
        code,
        debit: s.debit - b.debit,
        credit: s.credit - b.credit,
      });
    }
    const totals = [...period.values()].reduce((a, s) => ({ debit: a.debit + s.debit, credit: a.credit + s.credit }), {
      debit: 0,
      credit: 0,
    });
    expect(totals.debit).toBe(totals.credit);

    // The documents.
    const doc = async (path: string) =>
      csvRecords(
        (await http().get(`/api/v1/exports/${path}`).query({ from: '2000-01-01', to: T }).set('Authorization', finance).expect(200)).text,
      );
    const invoices = await doc('invoices');
    expect(invoices.header).toEqual([
      'invoice_id',
      'number',
      'reseller_id',
      'reseller_name',
      'issue_date',
      'due_date',
      'currency',
      'hardware_net',
      'hardware_tax',
      'hardware_gross',
      'cloud_net',
      'cloud_tax',
      'cloud_gross',
      'net',
      'tax',
      'gross',
      'paid',
      'credited',
      'written_off',
      'open',
      'status',
    ]);
    const invoiceGross = invoices.records.reduce((s, r) => s + cents(r.gross), 0);
    const ledgerInvoices = all.records
      .filter((r) => r.source_type === 'invoice' && ['1100', '1110'].includes(r.account_code))
      .reduce((s, r) => s + cents(r.debit) - cents(r.credit), 0);
    expect(invoiceGross).toBe(ledgerInvoices);
    expect(invoices.records.some((r) => r.status === 'WRITTEN_OFF' && r.written_off === '550.00')).toBe(true);
    const notes = await doc('credit-notes');
    expect(notes.header).toEqual([
      'credit_note_id',
      'number',
      'invoice_id',
      'invoice_number',
      'reseller_id',
      'issue_date',
      'currency',
      'kind',
      'reason',
      'hardware_net',
      'hardware_tax',
      'cloud_net',
      'cloud_tax',
      'net',
      'tax',
      'gross',
    ]);
    expect(notes.records.map((r) => r.reason).sort()).toEqual(['Damaged on arrival', 'Late delivery', 'Price match']);
    const payments = await doc('payments');
    expect(payments.header).toEqual([
      'payment_id',
      'reseller_id',
      'method',
      'received_on',
      'currency',
      'amount',
      'fee',
      'unapplied',
      'refunded',
      'reference',
      'invoice_id',
      'stripe_payment_intent_id',
    ]);
    expect(payments.records.reduce((s, r) => s + cents(r.amount), 0)).toBe(cents('550.00') + cents('1100.00') + cents('300.00'));

    // An empty period is a header only; bad periods are 400; only finance and admin export.
    expect(
      parseCsv(
        (
          await http()
            .get('/api/v1/exports/payments')
            .query({ from: '2001-01-01', to: '2001-01-31' })
            .set('Authorization', ADMIN)
            .expect(200)
        ).text,
      ),
    ).toHaveLength(1);
    const bad = await http()
      .get('/api/v1/exports/journal')
      .query({ from: T, to: addDays(T, -1) })
      .set('Authorization', finance);
    expect(bad.status).toBe(400);
    expect((await http().get('/api/v1/exports/invoices').query({ from: T }).set('Authorization', finance)).status).toBe(400);
    const reseller = await f.createReseller(t);
    const rf = await t.user('reseller_finance', reseller.id);
    await http().get('/api/v1/exports/journal').query({ from: T, to: T }).set('Authorization', rf.auth).expect(403);
  });

  it('announces a card payment (Stripe) as payment.received, once however often Stripe delivers it', async () => {
    const { reseller, invoice: inv } = await billedReseller(addDays(T, -21), addDays(T, -20));
    const radmin = await t.user('reseller_admin', reseller.id);
    const hook = await http()
      .post('/api/v1/webhooks')
      .set('Authorization', radmin.auth)
      .send({ url: 'https://hooks.example.com/card', events: ['payment.received'] })
      .expect(201);
    const rf = await t.user('reseller_finance', reseller.id);
    const intent = await http().post(`/api/v1/invoices/${inv.id}/payment-intents`).set('Authorization', rf.auth).expect(201);
    const pi = stripe.intents.get(intent.body.paymentIntentId)!;
    stripe.charges.set('ch_docs', {
      id: 'ch_docs',
      paymentIntent: pi.id as string,
      amount: 110000,
      currency: 'aud',
      fee: 1500,
    });
    const event = signedStripeEvent(
      'payment_intent.succeeded',
      { ...pi, status: 'succeeded', amount_received: 110000, latest_charge: 'ch_docs' },
      { created: unixOf(T) },
    );
    const deliver = () =>
      http()
        .post('/api/v1/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', event.header)
        .send(event.payload);
    expect((await deliver()).body.outcome).toBe('recorded');
    expect((await deliver()).body.outcome).toBe('duplicate');
    const outbox: Array<{ event: string; payload: Record<string, unknown> }> = await t.db.query(
      `SELECT event, payload FROM webhook_deliveries WHERE webhook_id = $1`,
      [hook.body.id],
    );
    expect(outbox).toEqual([
      {
        event: 'payment.received',
        payload: expect.objectContaining({
          method: 'STRIPE',
          amount: '1100.00',
          fee: '15.00',
          resellerId: reseller.id,
        }),
      },
    ]);
    // On the statement the card payment settles the invoice.
    const st = (
      await http()
        .get(`/api/v1/resellers/${reseller.id}/statement`)
        .query({ from: addDays(T, -30), to: T })
        .set('Authorization', rf.auth)
        .expect(200)
    ).body;
    expect(st.currencies[0].lines.map((l: { type: string }) => l.type)).toEqual(['INVOICE', 'PAYMENT']);
    expect(st.currencies[0].closingBalance).toBe('0.00');
  });
});
