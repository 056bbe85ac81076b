import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, CREDIT_LINES, CreditLine, Currency, Dec, moneyString } from '#disty/core';
import { OutputTaxAuditService, ReceivablesAuditService, RecognitionAuditService } from '#disty/invoicing';
import { AccountBalanceRow, AccountCode, AR_ACCOUNT, LedgerService } from '#disty/ledger';
import { OrderLineBillingService } from '#disty/ordering';
import { PayablesAuditService } from '#disty/purchasing';
import { UsageBillingService } from '#disty/usage';
import { OnBehalfCollections } from './on-behalf.port';
import { ReconciliationDifferenceView, ReconciliationRowView, ReconciliationSectionView, ReconciliationView } from './dto/payment.dto';

type Side = 'debit' | 'credit';
interface Cell {
  resellerId: string | null;
  currency: Currency;
  creditLine?: CreditLine;
  ledger: Dec;
  subledger: Dec;
  /** Receivables only: the subledger split into open invoice amounts and unapplied credits. */
  open?: Dec;
  credits?: Dec;
}

/**
 * GET /ledger/reconciliation: the ledger's control accounts beside the subledgers kept by
 * invoicing and payments, per reseller and in total, and the checks that catch a leak
 * (docs/money-integrity.md, "reconciliation"):
 * - control accounts: per reseller and credit line AR (1100/1110) = open invoice amounts − unapplied
 *   credits (negative invoice sides not yet applied or refunded); 2200 = unapplied cash; 1050 =
 *   per reseller its Stripe payments net of fees, FX, refunds and disputes, and without a reseller
 *   the payouts (so the total is Stripe's balance: payments net − refunds − disputes − payouts);
 *   1190 = the net of shipped hardware lines whose shipment posted revenue, not yet invoiced
 *   (ordering's subledger, docs/accounting.md §6) plus rated usage posted, not yet invoiced (usage's, docs/consumption.md);
 *   2050 = vendor cost accruals no bill has matched, per reseller and currency; 2000 = open vendor
 *   bill amounts, per currency (purchasing's subledgers);
 * - signs: no reseller's AR has a credit balance beyond its unapplied credits, no reseller's 2200
 *   a debit balance;
 * - the receivables subledger itself: AR movements add up to each invoice's open amounts, credit
 *   offsets are explained by credit applications and refunds, no credit received cash, and no
 *   unused credit lies beside an open invoice of the same reseller (now only);
 * - deferred revenue: per reseller and currency 2400 = invoiced cloud net not yet recognised nor
 *   credited from it, and per charge recognised + deferred = invoiced net (the recognition
 *   subledger explains itself: docs/accounting.md §6);
 * - collections held for resellers: per reseller and currency 2500 = collections not yet settled, and
 *   card collections net of fees in 1050's subledger (OnBehalfCollections, docs/billing-on-behalf.md §6).
 * Without asOf it compares maintained balances (as of now); with asOf it sums both sides' dated
 * records up to that day. Each difference names its check, reseller, line, expected and actual.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly audit: ReceivablesAuditService,
    private readonly ordering: OrderLineBillingService,
    private readonly payables: PayablesAuditService,
    private readonly recognition: RecognitionAuditService,
    private readonly outputTax: OutputTaxAuditService,
    private readonly clock: Clock,
    private readonly usage: UsageBillingService,
    @Optional() private readonly onBehalf?: OnBehalfCollections,
  ) {}

  async reconcile(asOf: string | null, resellerId: string | null = null): Promise<ReconciliationView> {
    const accounts = [
      AR_ACCOUNT.HARDWARE,
      AR_ACCOUNT.CLOUD,
      AccountCode.UnappliedCash,
      AccountCode.StripeClearing,
      AccountCode.UnbilledReceivables,
      AccountCode.AccruedVendorCosts,
      AccountCode.AccountsPayable,
      AccountCode.DeferredRevenue,
      AccountCode.TaxPayable,
      AccountCode.CollectionsHeld,
    ];
    // One snapshot (REPEATABLE READ), its queries one after the other: the ledger and the subledgers
    // are compared as of the same instant, so a payment committing meanwhile cannot show as a difference.
    const {
      balances,
      ar,
      unapplied,
      stripe,
      unbilledLines,
      unbilledUsage,
      accrued,
      payable,
      findings,
      deferred,
      recognition,
      taxOwed,
      held,
      cardCollections,
    } = await this.db.transaction('REPEATABLE READ', async (em) => ({
      balances: asOf ? await this.ledger.balancesAsOf(accounts, asOf, em) : await this.ledger.balances(accounts, em),
      ar: await this.audit.detail(asOf, resellerId, em),
      unapplied: await this.unappliedCash(asOf, resellerId, em),
      stripe: await this.stripeClearing(asOf, resellerId, em),
      unbilledLines: await this.ordering.unbilledReceivables(asOf, resellerId, em),
      unbilledUsage: await this.usage.unbilledReceivables(asOf, resellerId, em),
      accrued: await this.payables.accruedCosts(asOf, resellerId, em),
      payable: await this.payables.openPayables(asOf, resellerId, em),
      findings: await this.audit.findings(resellerId, em),
      deferred: await this.recognition.deferredBalances(asOf, resellerId, em),
      recognition: await this.recognition.findings(em),
      taxOwed: await this.outputTax.outputTax(asOf, resellerId, em),
      held: (await this.onBehalf?.held(asOf, resellerId, em)) ?? [],
      cardCollections: (await this.onBehalf?.stripeClearing(asOf, resellerId, em)) ?? [],
    }));
    const mine = balances.filter((b) => !resellerId || b.resellerId === resellerId);
    const ledgerOf = (code: string, side: Side) =>
      mine.filter((b) => b.accountCode === code).map((b) => ({ resellerId: b.resellerId, currency: b.currency, amount: signed(b, side) }));

    const receivables = merge(
      CREDIT_LINES.flatMap((l) => ledgerOf(AR_ACCOUNT[l], 'debit').map((r) => ({ ...r, creditLine: l }))),
      ar.map((r) => ({
        resellerId: r.resellerId,
        currency: r.currency,
        creditLine: r.creditLine,
        amount: r.open.minus(r.credits),
        open: r.open,
        credits: r.credits,
      })),
    );
    const cash = merge(ledgerOf(AccountCode.UnappliedCash, 'credit'), unapplied);
    const clearing = merge(ledgerOf(AccountCode.StripeClearing, 'debit'), [...stripe, ...cardCollections]);
    // 2500: collections held for resellers, not yet settled (docs/billing-on-behalf.md).
    const collections = merge(ledgerOf(AccountCode.CollectionsHeld, 'credit'), held);
    const unbilled = merge(ledgerOf(AccountCode.UnbilledReceivables, 'debit'), [
      ...unbilledLines,
      ...unbilledUsage.map((u) => ({ resellerId: u.resellerId, currency: u.currency, amount: u.net })),
    ]);
    const accruedCosts = merge(ledgerOf(AccountCode.AccruedVendorCosts, 'credit'), accrued);
    const payables = merge(ledgerOf(AccountCode.AccountsPayable, 'credit'), payable);
    const deferredRevenue = merge(ledgerOf(AccountCode.DeferredRevenue, 'credit'), deferred);
    // 2100 per reseller against the documents' output tax; lines without a reseller (settling tax with the authority) are not a reseller's.
    const tax = merge(
      ledgerOf(AccountCode.TaxPayable, 'credit').filter((l) => l.resellerId),
      taxOwed,
    );

    const sections = {
      receivables: section(receivables, (c) => AR_ACCOUNT[c.creditLine!]),
      unappliedCash: section(cash, () => AccountCode.UnappliedCash),
      stripeClearing: section(clearing, () => AccountCode.StripeClearing),
      unbilled: section(unbilled, () => AccountCode.UnbilledReceivables),
      accruedCosts: section(accruedCosts, () => AccountCode.AccruedVendorCosts),
      payables: section(payables, () => AccountCode.AccountsPayable),
      deferredRevenue: section(deferredRevenue, () => AccountCode.DeferredRevenue),
      tax: section(tax, () => AccountCode.TaxPayable),
      collectionsHeld: section(collections, () => AccountCode.CollectionsHeld),
    };
    const differences: ReconciliationDifferenceView[] = (Object.keys(sections) as Array<keyof typeof sections>).flatMap((name) =>
      sections[name].items
        .filter((i) => !new Dec(i.difference).isZero())
        .map((i) => ({
          section: name,
          check: 'control-account',
          ...i,
          expected: i.subledger,
          actual: i.ledger,
          message: `${i.account}${i.creditLine ? ` ${i.creditLine}` : ''} of reseller ${i.resellerId ?? '(none)'} is ${i.ledger} ${i.currency} in the ledger; its subledger says ${i.subledger}`,
        })),
    );
    // Signs: an AR credit balance must be explained by unapplied credits; 2200 never has a debit balance.
    for (const c of receivables) {
      if (c.resellerId && c.ledger.lt(0) && c.ledger.negated().gt(c.credits ?? 0)) {
        const expected = (c.credits ?? new Dec(0)).negated();
        differences.push(
          finding(
            'signs',
            'ar-credit-balance',
            c.resellerId,
            c.currency,
            c.creditLine ?? null,
            AR_ACCOUNT[c.creditLine!],
            expected,
            c.ledger,
            `AR ${AR_ACCOUNT[c.creditLine!]} of reseller ${c.resellerId} has a credit balance of ${moneyString(c.ledger.negated(), c.currency)} ${c.currency}; ` +
              `unapplied credits explain only ${moneyString(c.credits ?? new Dec(0), c.currency)}`,
          ),
        );
      }
    }
    for (const c of cash) {
      if (c.resellerId && c.ledger.lt(0)) {
        differences.push(
          finding(
            'signs',
            'unapplied-cash-debit-balance',
            c.resellerId,
            c.currency,
            null,
            AccountCode.UnappliedCash,
            new Dec(0),
            c.ledger,
            `2200 of reseller ${c.resellerId} has a debit balance of ${moneyString(c.ledger.negated(), c.currency)} ${c.currency}`,
          ),
        );
      }
    }
    for (const x of findings) {
      if (asOf && x.check === 'stranded-credit') continue;
      differences.push(
        finding(
          'receivablesSubledger',
          x.check,
          x.resellerId,
          x.currency,
          x.creditLine,
          x.creditLine ? AR_ACCOUNT[x.creditLine] : 'AR',
          x.expected,
          x.actual,
          x.message,
          x.invoiceId,
        ),
      );
    }
    for (const x of recognition) {
      if (resellerId && x.resellerId !== resellerId) continue;
      differences.push(
        finding('deferredRevenue', x.check, x.resellerId, x.currency, null, AccountCode.DeferredRevenue, x.expected, x.actual, x.message),
      );
    }
    return {
      asOf: asOf ?? this.clock.today(),
      resellerId,
      reconciled: differences.length === 0,
      ...sections,
      differences,
    };
  }

  /** 2200's subledger: what payments have not applied, per reseller and currency. */
  private async unappliedCash(asOf: string | null, resellerId: string | null, em: EntityManager) {
    const rows: Array<{ reseller_id: string; currency: Currency; amount: string }> = asOf
      ? await em.query(
          `SELECT reseller_id, currency, sum(amount)::text AS amount FROM (
             SELECT reseller_id, currency, amount FROM payments WHERE received_on <= $1
             UNION ALL
             SELECT a.reseller_id, p.currency, -a.amount FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
              WHERE a.applied_on <= $1
             UNION ALL
             SELECT r.reseller_id, p.currency, -r.amount FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
              WHERE r.refunded_on <= $1
             UNION ALL
             SELECT reseller_id, currency, -amount FROM stripe_disputes WHERE posted_on <= $1
             UNION ALL
             SELECT reseller_id, currency, amount FROM stripe_disputes WHERE status = 'WON' AND closed_on <= $1) x
            WHERE ($2::uuid IS NULL OR reseller_id = $2::uuid) GROUP BY 1, 2`,
          [asOf, resellerId],
        )
      : await em.query(
          `SELECT reseller_id, currency, sum(unapplied)::text AS amount FROM payments
            WHERE ($1::uuid IS NULL OR reseller_id = $1::uuid) GROUP BY 1, 2`,
          [resellerId],
        );
    return rows.map((r) => ({ resellerId: r.reseller_id, currency: r.currency, amount: new Dec(r.amount) }));
  }

  /**
   * 1050's subledger: per reseller, Stripe payments net of their fees and FX differences, less Stripe
   * refunds (of the payment, or of a credit balance through Stripe) and disputes (amount and fee,
   * given back when won); without a reseller, less payouts (amount and fee). Its total is 1050's.
   */
  private async stripeClearing(asOf: string | null, resellerId: string | null, em: EntityManager) {
    const rows: Array<{ reseller_id: string | null; currency: Currency; amount: string }> = await em.query(
      `SELECT reseller_id, currency, sum(amount)::text AS amount FROM (
         SELECT reseller_id, currency, amount - fee - fx_difference AS amount FROM payments
          WHERE method = 'STRIPE' AND ($1::date IS NULL OR received_on <= $1::date)
         UNION ALL
         SELECT r.reseller_id, p.currency, -r.amount FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
          WHERE p.method = 'STRIPE' AND ($1::date IS NULL OR r.refunded_on <= $1::date)
         UNION ALL
         SELECT x.reseller_id, r.currency, -x.amount FROM credit_refund_parts x JOIN credit_refunds r ON r.id = x.refund_id
          WHERE x.stripe_payment_id IS NOT NULL AND x.invoice_id IS NOT NULL AND ($1::date IS NULL OR r.paid_on <= $1::date)
         UNION ALL
         SELECT reseller_id, currency, -(amount + fee) FROM stripe_disputes WHERE ($1::date IS NULL OR posted_on <= $1::date)
         UNION ALL
         SELECT reseller_id, currency, amount + fee_returned FROM stripe_disputes
          WHERE status = 'WON' AND ($1::date IS NULL OR closed_on <= $1::date)
         UNION ALL
         SELECT NULL::uuid, currency, -(amount + fee) FROM stripe_payouts WHERE ($1::date IS NULL OR posted_on <= $1::date)) x
        WHERE ($2::uuid IS NULL OR reseller_id = $2::uuid) GROUP BY 1, 2`,
      [asOf, resellerId],
    );
    return rows.map((r) => ({ resellerId: r.reseller_id, currency: r.currency, amount: new Dec(r.amount) }));
  }
}

function signed(b: AccountBalanceRow, side: Side): Dec {
  return side === 'debit' ? b.debit.minus(b.credit) : b.credit.minus(b.debit);
}

type Amount = {
  resellerId: string | null;
  currency: Currency;
  creditLine?: CreditLine;
  amount: Dec;
  open?: Dec;
  credits?: Dec;
};

function finding(
  section: string,
  check: string,
  resellerId: string,
  currency: Currency,
  creditLine: CreditLine | null,
  account: string,
  expected: Dec,
  actual: Dec,
  message: string,
  invoiceId: string | null = null,
): ReconciliationDifferenceView {
  return {
    section,
    check,
    resellerId,
    currency,
    ...(creditLine ? { creditLine } : {}),
    ...(invoiceId ? { invoiceId } : {}),
    account,
    ledger: moneyString(actual, currency),
    subledger: moneyString(expected, currency),
    difference: moneyString(actual.minus(expected), currency),
    expected: moneyString(expected, currency),
    actual: moneyString(actual, currency),
    message,
  };
}

/** The order of cell keys: the default locale's, as String.prototype.localeCompare compares. */
const KEY_ORDER = new Intl.Collator();

/** Ledger and subledger amounts side by side per (reseller, currency, credit line); rows zero on both sides are dropped. */
function merge(ledger: Amount[], sub: Amount[]): Cell[] {
  const key = (a: Amount) => `${a.resellerId ?? ''}|${a.currency}|${a.creditLine ?? ''}`;
  const cells = new Map<string, Cell>();
  const cell = (a: Amount) => {
    const k = key(a);
    const c = cells.get(k) ?? {
      resellerId: a.resellerId,
      currency: a.currency,
      creditLine: a.creditLine,
      ledger: new Dec(0),
      subledger: new Dec(0),
    };
    cells.set(k, c);
    return c;
  };
  for (const a of ledger) cell(a).ledger = cell(a).ledger.plus(a.amount);
  for (const a of sub) {
    const c = cell(a);
    c.subledger = c.subledger.plus(a.amount);
    if (a.open) c.open = (c.open ?? new Dec(0)).plus(a.open);
    if (a.credits) c.credits = (c.credits ?? new Dec(0)).plus(a.credits);
  }
  // Sorted by the map's keys with one collator: localeCompare's order, no key built per comparison.
  return [...cells]
    .filter(([, c]) => !c.ledger.isZero() || !c.subledger.isZero())
    .sort(([a], [b]) => KEY_ORDER.compare(a, b))
    .map(([, c]) => c);
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
    ...(c.creditLine
      ? {
          openInvoices: moneyString(c.open ?? new Dec(0), c.currency),
          unappliedCredits: moneyString(c.credits ?? new Dec(0), c.currency),
        }
      : {}),
  });
  const totals = new Map<string, Cell>();
  for (const c of cells) {
    const k = `${c.currency}|${c.creditLine ?? ''}`;
    const t = totals.get(k) ?? {
      resellerId: null,
      currency: c.currency,
      creditLine: c.creditLine,
      ledger: new Dec(0),
      subledger: new Dec(0),
    };
    t.ledger = t.ledger.plus(c.ledger);
    t.subledger = t.subledger.plus(c.subledger);
    if (c.creditLine) {
      t.open = (t.open ?? new Dec(0)).plus(c.open ?? 0);
      t.credits = (t.credits ?? new Dec(0)).plus(c.credits ?? 0);
    }
    totals.set(k, t);
  }
  return {
    items: cells.map(row),
    totals: [...totals.values()].map(row),
  };
}
