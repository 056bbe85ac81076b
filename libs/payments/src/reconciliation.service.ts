import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock, Currency, Dec, moneyString } from '@disty/core';
import { AR_ACCOUNT, InvoiceService, Line, LINES } from '@disty/invoicing';
import { AccountBalanceRow, LedgerService } from '@disty/ledger';
import { ReconciliationDifferenceView, ReconciliationRowView, ReconciliationSectionView, ReconciliationView } from './dto/payment.dto';
import { STRIPE_CLEARING_ACCOUNT, UNAPPLIED_CASH_ACCOUNT } from './payment.service';

type Side = 'debit' | 'credit';
interface Cell {
  resellerId: string | null;
  currency: Currency;
  creditLine?: Line;
  ledger: Dec;
  subledger: Dec;
}

/**
 * GET /ledger/reconciliation: the ledger's control accounts beside the subledgers kept by
 * invoicing and payments — per credit line AR (1100/1110) beside open invoice amounts, unapplied
 * cash (2200) beside unapplied payments, Stripe clearing (1050) beside Stripe payments net of fees
 * and refunds — per reseller and in total. Without asOf it compares maintained balances (as of
 * now); with asOf it sums both sides' dated records up to that day. The ledger itself knows
 * nothing of invoices: this lives here, beside the subledgers.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly invoices: InvoiceService,
    private readonly clock: Clock,
  ) {}

  async reconcile(asOf: string | null, resellerId: string | null = null): Promise<ReconciliationView> {
    const accounts = [AR_ACCOUNT.HARDWARE, AR_ACCOUNT.CLOUD, UNAPPLIED_CASH_ACCOUNT, STRIPE_CLEARING_ACCOUNT];
    const [balances, ar, unapplied, stripe] = await Promise.all([
      asOf ? this.ledger.balancesAsOf(accounts, asOf) : this.ledger.balances(accounts),
      this.invoices.subledgerBalances(asOf, resellerId),
      this.unappliedCash(asOf, resellerId),
      this.stripeClearing(asOf, resellerId),
    ]);
    const mine = balances.filter((b) => !resellerId || b.resellerId === resellerId);
    const ledgerOf = (code: string, side: Side) =>
      mine.filter((b) => b.accountCode === code).map((b) => ({ resellerId: b.resellerId, currency: b.currency, amount: signed(b, side) }));

    const receivables = merge(
      LINES.flatMap((l) => ledgerOf(AR_ACCOUNT[l], 'debit').map((r) => ({ ...r, creditLine: l }))),
      ar.map((r) => ({ resellerId: r.resellerId, currency: r.currency, creditLine: r.creditLine, amount: r.open })),
    );
    const cash = merge(ledgerOf(UNAPPLIED_CASH_ACCOUNT, 'credit'), unapplied);
    const clearing = merge(ledgerOf(STRIPE_CLEARING_ACCOUNT, 'debit'), stripe);

    const sections = {
      receivables: section(receivables, (c) => AR_ACCOUNT[c.creditLine!]),
      unappliedCash: section(cash, () => UNAPPLIED_CASH_ACCOUNT),
      stripeClearing: section(clearing, () => STRIPE_CLEARING_ACCOUNT),
    };
    const differences: ReconciliationDifferenceView[] = (Object.keys(sections) as Array<keyof typeof sections>).flatMap((name) =>
      sections[name].items.filter((i) => !new Dec(i.difference).isZero()).map((i) => ({ section: name, ...i })),
    );
    return {
      asOf: asOf ?? this.clock.today(),
      resellerId,
      reconciled: differences.length === 0,
      ...sections,
      differences,
    };
  }

  /** 2200's subledger: what payments have not applied, per reseller and currency. */
  private async unappliedCash(asOf: string | null, resellerId: string | null) {
    const rows: Array<{ reseller_id: string; currency: Currency; amount: string }> = asOf
      ? await this.db.query(
          `SELECT reseller_id, currency, sum(amount)::text AS amount FROM (
             SELECT reseller_id, currency, amount FROM payments WHERE received_on <= $1
             UNION ALL
             SELECT a.reseller_id, p.currency, -a.amount FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
              WHERE a.applied_on <= $1
             UNION ALL
             SELECT r.reseller_id, p.currency, -r.amount FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
              WHERE r.refunded_on <= $1) x
            WHERE ($2::uuid IS NULL OR reseller_id = $2::uuid) GROUP BY 1, 2`,
          [asOf, resellerId],
        )
      : await this.db.query(
          `SELECT reseller_id, currency, sum(unapplied)::text AS amount FROM payments
            WHERE ($1::uuid IS NULL OR reseller_id = $1::uuid) GROUP BY 1, 2`,
          [resellerId],
        );
    return rows.map((r) => ({ resellerId: r.reseller_id, currency: r.currency, amount: new Dec(r.amount) }));
  }

  /** 1050's subledger: Stripe payments net of their fees, less refunds. */
  private async stripeClearing(asOf: string | null, resellerId: string | null) {
    const rows: Array<{ reseller_id: string; currency: Currency; amount: string }> = await this.db.query(
      `SELECT reseller_id, currency, sum(amount)::text AS amount FROM (
         SELECT reseller_id, currency, amount - fee AS amount FROM payments
          WHERE method = 'STRIPE' AND ($1::date IS NULL OR received_on <= $1::date)
         UNION ALL
         SELECT r.reseller_id, p.currency, -r.amount FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
          WHERE p.method = 'STRIPE' AND ($1::date IS NULL OR r.refunded_on <= $1::date)) x
        WHERE ($2::uuid IS NULL OR reseller_id = $2::uuid) GROUP BY 1, 2`,
      [asOf, resellerId],
    );
    return rows.map((r) => ({ resellerId: r.reseller_id, currency: r.currency, amount: new Dec(r.amount) }));
  }
}

function signed(b: AccountBalanceRow, side: Side): Dec {
  return side === 'debit' ? b.debit.minus(b.credit) : b.credit.minus(b.debit);
}

type Amount = { resellerId: string | null; currency: Currency; creditLine?: Line; amount: Dec };

/** Ledger and subledger amounts side by side per (reseller, currency, credit line); rows zero on both sides are dropped. */
function merge(ledger: Amount[], sub: Amount[]): Cell[] {
  const key = (a: Amount) => `${a.resellerId ?? ''}|${a.currency}|${a.creditLine ?? ''}`;
  const cells = new Map<string, Cell>();
  const cell = (a: Amount) => {
    const k = key(a);
    const c = cells.get(k) ?? { resellerId: a.resellerId, currency: a.currency, creditLine: a.creditLine, ledger: new Dec(0), subledger: new Dec(0) };
    cells.set(k, c);
    return c;
  };
  for (const a of ledger) cell(a).ledger = cell(a).ledger.plus(a.amount);
  for (const a of sub) cell(a).subledger = cell(a).subledger.plus(a.amount);
  return [...cells.values()]
    .filter((c) => !c.ledger.isZero() || !c.subledger.isZero())
    .sort((a, b) => key({ ...a, amount: a.ledger }).localeCompare(key({ ...b, amount: b.ledger })));
}

function section(cells: Cell[], account: (c: Cell) => string): ReconciliationSectionView {
  const row = (c: Cell): ReconciliationRowView => ({
    resellerId: c.resellerId,
    currency: c.currency,
    ...(c.creditLine ? { creditLine: c.creditLine } : {}),
    account: account(c),
    ledger: moneyString(c.ledger, c.currency),
    subledger: moneyString(c.subledger, c.currency),
    difference: moneyString(c.ledger.minus(c.subledger), c.currency),
  });
  const totals = new Map<string, Cell>();
  for (const c of cells) {
    const k = `${c.currency}|${c.creditLine ?? ''}`;
    const t = totals.get(k) ?? { resellerId: null, currency: c.currency, creditLine: c.creditLine, ledger: new Dec(0), subledger: new Dec(0) };
    t.ledger = t.ledger.plus(c.ledger);
    t.subledger = t.subledger.plus(c.subledger);
    totals.set(k, t);
  }
  return {
    items: cells.map(row),
    totals: [...totals.values()].map(row),
  };
}
