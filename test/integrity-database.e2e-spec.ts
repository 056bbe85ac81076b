import { randomUUID } from 'crypto';
import { Client } from 'pg';
import type { LedgerService } from '#disty/ledger';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import type { OwnDatabase } from './support/own-database';

/**
 * Issue 13, leaks 9–11: the database protects itself. Amounts are bounded (422, never a 5xx, and
 * one tenant's input cannot break the shared totals), issued documents are immutable in SQL, and
 * the API connects as a role that owns nothing, so it can neither disable a trigger, nor empty the
 * balances, nor reopen a closed month. The raw SQL runs through the app's own connection (the
 * disty_app role), and where it matters also as the owner role, which the triggers refuse too.
 * Its own database: it closes periods and posts huge amounts.
 */
describe('Money integrity: the database protects itself (issue 13, leaks 9–11)', () => {
  let db: OwnDatabase;
  let t: TestApp;
  let f: typeof Commerce;
  let owner: Client;
  let admin: string;
  let finance: string;
  const today = new Date().toISOString().slice(0, 10);
  const problem = (slug: string) => `https://disty.dev/problems/${slug}`;

  beforeAll(async () => {
    const { useOwnDatabase } = await import('./support/own-database.js');
    db = await useOwnDatabase('dbhard');
    const { createTestApp, ADMIN_TOKEN } = await import('./support/app.js');
    f = await import('./factories/commerce.js');
    t = await createTestApp();
    admin = `Bearer ${ADMIN_TOKEN}`;
    finance = (await t.user('finance')).auth;
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
  });
  afterAll(async () => {
    await owner?.end();
    await t?.close();
    await db?.drop();
  });

  const pay = (resellerId: string, amount: string, currency = 'GBP') =>
    t
      .http()
      .post('/api/v1/payments')
      .set('Authorization', finance)
      .send({
        resellerId,
        amount,
        currency,
        method: 'BANK_TRANSFER',
        reference: `ref ${amount}`,
        receivedOn: today,
      });

  describe('leak 9: amounts are bounded', () => {
    it('leak 9: refuses a payment of 9999999999999999.99 GBP with 422, twice, and another reseller’s 1.00 GBP payment still succeeds', async () => {
      const a = await f.createReseller(t, { currency: 'GBP', country: 'GB' });
      const b = await f.createReseller(t, { currency: 'GBP', country: 'GB' });
      for (let i = 0; i < 2; i++) {
        const res = await pay(a.id, '9999999999999999.99');
        expect(res.status).toBe(422);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body).toMatchObject({ type: problem('amount-out-of-range'), status: 422 });
        expect(res.body.errors).toEqual([
          expect.objectContaining({
            field: 'amount',
            message: expect.stringMatching(/at most 1000000000000\.00/),
          }),
        ]);
      }
      const ok = await pay(b.id, '1.00');
      expect(ok.status).toBe(201);
      const listed = await t.http().get(`/api/v1/payments?resellerId=${a.id}`).set('Authorization', finance).expect(200);
      expect(listed.body.total).toBe(0);
    });

    it('leak 9: the maximum per document (1000000000000.00) is accepted, one cent more is 422', async () => {
      const r = await f.createReseller(t, { currency: 'GBP', country: 'GB' });
      expect((await pay(r.id, '1000000000000.01')).status).toBe(422);
      expect((await pay(r.id, '1000000000000.00')).status).toBe(201);
      expect((await pay(r.id, '1000000000000.00')).status).toBe(201); // same day, same accounts: the totals hold it
      const tb = await t.http().get(`/api/v1/ledger/trial-balance?asOf=${today}&currency=GBP`).set('Authorization', finance);
      expect(tb.status).toBe(200);
    });

    it('leak 9: every money input is bounded: allocations, manual entry lines, credit notes, unit prices, credit limits', async () => {
      const big = '1000000000000.01';
      const r = await f.createReseller(t);
      const expect422 = (res: { status: number; body: { type?: string } }) => {
        expect(res.status).toBe(422);
        expect(res.body.type).toBe(problem('amount-out-of-range'));
      };
      expect422(
        await t
          .http()
          .post(`/api/v1/payments/${randomUUID()}/allocations`)
          .set('Authorization', finance)
          .send({ allocations: [{ invoiceId: randomUUID(), amount: big }] }),
      );
      expect422(
        await t
          .http()
          .post('/api/v1/payments')
          .set('Authorization', finance)
          .send({
            resellerId: r.id,
            amount: '10.00',
            currency: 'AUD',
            method: 'BANK_TRANSFER',
            reference: 'x',
            receivedOn: today,
            allocations: [{ invoiceId: randomUUID(), amount: big }],
          }),
      );
      expect422(
        await t
          .http()
          .post('/api/v1/ledger/entries')
          .set('Authorization', finance)
          .send({
            entryDate: today,
            memo: 'huge',
            lines: [
              { accountCode: '1000', currency: 'AUD', debit: big },
              { accountCode: '6100', currency: 'AUD', credit: big },
            ],
          }),
      );
      expect422(
        await t
          .http()
          .post(`/api/v1/invoices/${randomUUID()}/credit-notes`)
          .set('Authorization', finance)
          .send({ lines: [{ invoiceLineId: randomUUID(), amount: big }], reason: 'huge' }),
      );
      expect422(
        await t
          .http()
          .post('/api/v1/catalog/products')
          .set('Authorization', admin)
          .send({
            sku: `HW-${f.uniq()}`,
            name: 'Huge',
            vendor: 'Dell',
            kind: 'HARDWARE',
            warrantyMonths: 12,
            prices: [{ currency: 'AUD', unitPrice: big }],
          }),
      );
      expect422(
        await t
          .http()
          .put(`/api/v1/resellers/${r.id}/credit-lines/HARDWARE`)
          .set('Authorization', admin)
          .send({ limit: big, reason: 'test: out of range' }),
      );
      expect422(
        await t
          .http()
          .post('/api/v1/resellers')
          .set('Authorization', admin)
          .send({
            name: `R ${f.uniq()}`,
            currency: 'AUD',
            country: 'AU',
            paymentTermsDays: 30,
            creditLimits: { HARDWARE: big, CLOUD: '1.00' },
          }),
      );
      // A malformed amount is still a 400 validation problem.
      const malformed = await pay(r.id, '1e5', 'AUD');
      expect(malformed.status).toBe(400);
    });

    it('leak 9: the shared daily totals hold the sum of many maximal postings (no overflow reaches another reseller)', async () => {
      const { LedgerService: Ledger } = await import('#disty/ledger');
      const ledger = t.get(Ledger) as LedgerService;
      const post = (resellerId: string, amount: string) =>
        ledger.inTransaction((em) =>
          ledger.post(em, {
            entryDate: today,
            memo: 'overflow probe',
            source: { type: 'test-overflow', id: randomUUID() },
            lines: [
              { accountCode: '1000', resellerId: null, currency: 'GBP', debit: amount },
              { accountCode: '2200', resellerId, currency: 'GBP', credit: amount },
            ],
          }),
        );
      // The largest amount a numeric(20,4) line can hold, twice on the same account and day: the
      // daily totals row shared by every reseller overflowed numeric(20,4) before.
      const [a, b] = [randomUUID(), randomUUID()];
      await post(a, '9999999999999999.99');
      await post(a, '9999999999999999.99');
      await post(b, '1.00');
      const [row] = await t.db.query(
        `SELECT debit_total::text AS d FROM ledger_daily_totals WHERE account_code = '1000' AND currency = 'GBP' AND day = $1`,
        [today],
      );
      expect(BigInt(row.d.split('.')[0])).toBeGreaterThan(BigInt('19999999999999999'));
    });
  });

  describe('leak 10: issued documents are immutable', () => {
    let invoice: { id: string; number: string; lines: Array<{ id: string; net: string }> };
    let creditNoteId: string;

    beforeAll(async () => {
      const reseller = await f.createReseller(t);
      const hw = await f.createProduct(t, {
        kind: 'HARDWARE',
        prices: [{ currency: 'AUD', unitPrice: '500.00' }],
      });
      const order = await t
        .http()
        .post('/api/v1/orders')
        .set('Authorization', admin)
        .send({
          resellerId: reseller.id,
          endCustomer: { name: 'End Co' },
          lines: [{ sku: hw.sku, quantity: 2 }],
        })
        .expect(201);
      await t
        .http()
        .post(`/api/v1/orders/${order.body.id}/lines/${order.body.lines[0].id}/ship`)
        .set('Authorization', admin)
        .send({ shippedOn: today })
        .expect((r) => expect(r.status).toBeLessThan(300));
      const { billPeriod } = await import('./support/billing.js');
      const run = await billPeriod(t, today, finance);
      expect(run.status).toBe('COMPLETED');
      const list = await t.http().get(`/api/v1/invoices?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
      invoice = (await t.http().get(`/api/v1/invoices/${list.body.items[0].id}`).set('Authorization', finance).expect(200)).body;
      const cn = await t
        .http()
        .post(`/api/v1/invoices/${invoice.id}/credit-notes`)
        .set('Authorization', finance)
        .send({ lines: [{ invoiceLineId: invoice.lines[0].id, amount: '100.00' }], reason: 'Damaged unit' })
        .expect(201);
      creditNoteId = cn.body.id;
    });

    it('leak 10: refuses UPDATE invoice_lines SET net = … on an issued invoice, for the app and the owner role', async () => {
      const line = invoice.lines[0];
      for (const q of [(s: string, p: unknown[]) => t.db.query(s, p), (s: string, p: unknown[]) => owner.query(s, p)]) {
        await expect(q(`UPDATE invoice_lines SET net = 1, gross = 1 + tax WHERE id = $1`, [line.id])).rejects.toThrow(
          /immutable.*invoice_lines\.net/,
        );
        await expect(q(`UPDATE invoice_lines SET quantity = 1 WHERE id = $1`, [line.id])).rejects.toThrow(/immutable/);
      }
      await expect(t.db.query(`DELETE FROM invoice_lines WHERE id = $1`, [line.id])).rejects.toThrow(/permission denied/);
      await expect(owner.query(`DELETE FROM invoice_lines WHERE id = $1`, [line.id])).rejects.toThrow(/immutable/);
      const [row] = await t.db.query(`SELECT net::text AS net FROM invoice_lines WHERE id = $1`, [line.id]);
      expect(row.net).toBe('1000.0000');
    });

    it('leak 10: refuses changing an issued invoice’s amounts, number, dates or reseller, and deleting it; settlement still works', async () => {
      for (const set of [
        'hardware_net = 0, hardware_tax = 0, hardware_gross = 0',
        `number = 'INV-1999-000001'`,
        `issue_date = '2000-01-01'`,
        `due_date = due_date + 365`,
        `reseller_id = gen_random_uuid()`,
        `currency = 'USD'`,
        `tax_rate = 0`,
      ]) {
        await expect(t.db.query(`UPDATE invoices SET ${set} WHERE id = $1`, [invoice.id])).rejects.toThrow(/immutable/);
      }
      await expect(owner.query(`DELETE FROM invoices WHERE id = $1`, [invoice.id])).rejects.toThrow(/immutable/);
      await expect(owner.query(`TRUNCATE invoices CASCADE`)).rejects.toThrow(/immutable|not allowed/);
      // The settlement columns stay the app's to update: a payment applied to the invoice.
      const r = (await t.http().get(`/api/v1/invoices/${invoice.id}`).set('Authorization', finance).expect(200)).body;
      const paid = await t
        .http()
        .post('/api/v1/payments')
        .set('Authorization', finance)
        .send({
          resellerId: r.resellerId,
          amount: '10.00',
          currency: 'AUD',
          method: 'BANK_TRANSFER',
          reference: 'part',
          receivedOn: today,
          allocations: [{ invoiceId: invoice.id, amount: '10.00' }],
        });
      expect(paid.status).toBe(201);
      const after = (await t.http().get(`/api/v1/invoices/${invoice.id}`).set('Authorization', finance).expect(200)).body;
      expect(after.amountPaid).toBe('10.00');
      expect(after.number).toBe(invoice.number);
    });

    it('leak 10: refuses changing or deleting a credit note and its lines', async () => {
      await expect(t.db.query(`UPDATE credit_notes SET hardware_net = 1 WHERE id = $1`, [creditNoteId])).rejects.toThrow(/immutable/);
      await expect(t.db.query(`UPDATE credit_notes SET reason = 'edited' WHERE id = $1`, [creditNoteId])).rejects.toThrow(/immutable/);
      await expect(t.db.query(`UPDATE credit_note_lines SET net = 1 WHERE credit_note_id = $1`, [creditNoteId])).rejects.toThrow(
        /immutable/,
      );
      await expect(owner.query(`DELETE FROM credit_note_lines WHERE credit_note_id = $1`, [creditNoteId])).rejects.toThrow(/immutable/);
      await expect(owner.query(`DELETE FROM credit_notes WHERE id = $1`, [creditNoteId])).rejects.toThrow(/immutable/);
      await expect(t.db.query(`DELETE FROM credit_notes WHERE id = $1`, [creditNoteId])).rejects.toThrow(/permission denied/);
    });
  });

  describe('leak 11: the database does not trust the app', () => {
    it('leak 11: the API connects as disty_app, no superuser, owning nothing', async () => {
      const [me] = await t.db.query(
        `SELECT current_user AS name, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls
           FROM pg_roles r WHERE r.rolname = current_user`,
      );
      expect(me).toEqual({
        name: 'disty_app',
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolbypassrls: false,
      });
      const [owned] = await t.db.query(
        `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user`,
      );
      expect(owned.n).toBe(0);
      const [migrated] = (
        await owner.query(`SELECT current_user AS name, pg_get_userbyid(c.relowner) AS table_owner
                                               FROM pg_class c WHERE c.relname = 'journal_lines'`)
      ).rows;
      expect(migrated).toEqual({ name: 'disty_owner', table_owner: 'disty_owner' });
      // npm start warns when DATABASE_URL is a role the database cannot protect itself from.
      const { privilegedRoleWarning } = await import('#disty/core');
      expect(await privilegedRoleWarning(db.url)).toBeNull();
      expect(await privilegedRoleWarning(db.ownerUrl)).toMatch(/disty_owner, the owner of the tables/);
    });

    it('leak 11: refuses ALTER TABLE journal_lines DISABLE TRIGGER to the app connection (and the UPDATE after it)', async () => {
      await expect(t.db.query(`ALTER TABLE journal_lines DISABLE TRIGGER journal_lines_immutable`)).rejects.toThrow(/must be owner/);
      await expect(t.db.query(`ALTER TABLE journal_lines DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner/);
      await expect(t.db.query(`UPDATE journal_lines SET debit = debit + 1 WHERE id = (SELECT min(id) FROM journal_lines)`)).rejects.toThrow(
        /permission denied|immutable/,
      );
      const [trigger] = await t.db.query(`SELECT tgenabled FROM pg_trigger WHERE tgname = 'journal_lines_immutable'`);
      expect(trigger.tgenabled).toBe('O');
      // No other DDL either.
      await expect(t.db.query(`CREATE TABLE app_made (id int)`)).rejects.toThrow(/permission denied/);
      await expect(t.db.query(`DROP TRIGGER journal_lines_immutable ON journal_lines`)).rejects.toThrow(/must be owner/);
    });

    it('leak 11: refuses TRUNCATE account_balances, ledger_daily_totals, to the app and to the owner role', async () => {
      const [before] = await t.db.query(`SELECT count(*)::int AS n FROM account_balances`);
      expect(before.n).toBeGreaterThan(0);
      await expect(t.db.query(`TRUNCATE account_balances, ledger_daily_totals`)).rejects.toThrow(/permission denied/);
      for (const table of ['account_balances', 'ledger_daily_totals', 'ledger_periods', 'ar_movements']) {
        await expect(owner.query(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/TRUNCATE on \w+ is not allowed/);
      }
      await expect(t.db.query(`DELETE FROM account_balances`)).rejects.toThrow(/permission denied/);
      const [after] = await t.db.query(`SELECT count(*)::int AS n FROM account_balances`);
      expect(after.n).toBe(before.n);
    });

    it('leak 11: refuses DELETE FROM ledger_periods and reopening a closed period', async () => {
      await t.http().post('/api/v1/ledger/periods/2019-03/close').set('Authorization', finance).expect(200);
      await expect(t.db.query(`DELETE FROM ledger_periods WHERE period = '2019-03'`)).rejects.toThrow(/permission denied/);
      await expect(t.db.query(`UPDATE ledger_periods SET period = '2019-02' WHERE period = '2019-03'`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(owner.query(`DELETE FROM ledger_periods WHERE period = '2019-03'`)).rejects.toThrow(/cannot be reopened/);
      await expect(owner.query(`UPDATE ledger_periods SET period = '2019-02' WHERE period = '2019-03'`)).rejects.toThrow(
        /cannot be reopened/,
      );
      await expect(owner.query(`UPDATE ledger_periods SET closed_at = now() WHERE period = '2019-03'`)).rejects.toThrow(
        /cannot be reopened/,
      );
      const periods = await t.http().get('/api/v1/ledger/periods').set('Authorization', finance).expect(200);
      expect(JSON.stringify(periods.body)).toContain('2019-03');
      // Closing it again is still idempotent.
      await t.http().post('/api/v1/ledger/periods/2019-03/close').set('Authorization', finance).expect(200);
    });

    it('leak 11: a table a later migration creates is the app’s to use (DML) by default, and not to truncate', async () => {
      await owner.query(`CREATE TABLE later_migration_probe (id int PRIMARY KEY, note text)`);
      try {
        await t.db.query(`INSERT INTO later_migration_probe VALUES (1, 'a')`);
        await t.db.query(`UPDATE later_migration_probe SET note = 'b' WHERE id = 1`);
        expect(await t.db.query(`SELECT note FROM later_migration_probe`)).toEqual([{ note: 'b' }]);
        await t.db.query(`DELETE FROM later_migration_probe WHERE id = 1`);
        await expect(t.db.query(`TRUNCATE later_migration_probe`)).rejects.toThrow(/permission denied/);
        await expect(t.db.query(`ALTER TABLE later_migration_probe ADD COLUMN x int`)).rejects.toThrow(/must be owner/);
      } finally {
        await owner.query(`DROP TABLE later_migration_probe`);
      }
    });
  });
});
