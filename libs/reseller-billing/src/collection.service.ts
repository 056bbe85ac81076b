// Owns collections: cash the distributor collected for a reseller's end-customer invoices, held on 2500 until settled.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, Currency, Dec, idempotentTransaction, moneyString, page, Page, retryOnConflict, validationError } from '#disty/core';
import { AccountCode, credit, debit, LedgerService } from '#disty/ledger';
import { CardCollection, HeldAmount, OnBehalfCollections } from '#disty/payments';
import { BillingProfileService } from './billing-profile.service';
import { CollectionQueryDto, CollectionView, RecordCollectionDto } from './dto/end-customer-invoice.dto';
import { EcInvoiceRow, EndCustomerInvoiceService } from './end-customer-invoice.service';
import { resellerBillingError, ResellerBillingErrorCode } from './errors';

interface CollectionRow {
  id: string;
  reseller_id: string;
  end_customer_invoice_id: string;
  number: string | null;
  end_customer_id: string;
  method: string;
  currency: Currency;
  amount: string;
  fee: string;
  reference: string;
  received_on: string;
  settlement_id: string | null;
  settled_on: string | null;
}
export const COLLECTION_COLUMNS = `c.id, c.reseller_id, c.end_customer_invoice_id, i.number, i.end_customer_id, c.method, c.currency, c.amount::text AS amount,
  c.fee::text AS fee, c.reference, to_char(c.received_on, 'YYYY-MM-DD') AS received_on, c.settlement_id, to_char(c.settled_on, 'YYYY-MM-DD') AS settled_on`;

/**
 * Collection on a reseller's behalf (docs/billing-on-behalf.md): an end customer pays one of the
 * reseller's issued invoices by card (a PaymentIntent on the distributor's Stripe account, recorded
 * from Stripe's webhook through payments' `OnBehalfCollections` port) or by bank transfer (recorded
 * by finance). Each collection posts debit 1000 (bank) or 1050 net of fee and 6100 fee (card),
 * credit 2500 for the reseller, and raises the invoice's amount paid, in one transaction. 2500's
 * subledger is the collections not yet settled.
 */
@Injectable()
export class CollectionService implements OnBehalfCollections {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly invoices: EndCustomerInvoiceService,
    private readonly profiles: BillingProfileService,
    private readonly ledger: LedgerService,
    private readonly clock: Clock,
  ) {}

  /** POST /collections (finance): a bank transfer an end customer paid to the distributor for the reseller's invoice. */
  async recordBank(dto: RecordCollectionDto, createdBy: string): Promise<CollectionView> {
    if (dto.receivedOn > this.clock.today()) {
      throw validationError('receivedOn cannot be in the future', [
        { field: 'receivedOn', message: `must be on or before ${this.clock.today()}` },
      ]);
    }
    return retryOnConflict(() =>
      idempotentTransaction(this.db, async (em) => {
        const inv = await this.collectable(em, dto.endCustomerInvoiceId.toLowerCase(), null, new Dec(dto.amount), dto.currency);
        const id = await this.insert(em, inv, {
          method: 'BANK_TRANSFER',
          amount: new Dec(dto.amount),
          fee: new Dec(0),
          reference: dto.reference,
          receivedOn: dto.receivedOn,
          createdBy,
        });
        return this.view(em, id, null);
      }),
    );
  }

  /** OnBehalfCollections.recordCard: payment_intent.succeeded for an end-customer invoice, in the webhook's transaction. */
  async recordCard(em: EntityManager, c: CardCollection): Promise<{ collectionId: string | null; why?: string }> {
    const [seen]: Array<{ id: string }> = await em.query(`SELECT id FROM collections WHERE stripe_payment_intent_id = $1`, [
      c.paymentIntentId,
    ]);
    if (seen) return { collectionId: null, why: `PaymentIntent ${c.paymentIntentId} already recorded` };
    let inv: EcInvoiceRow;
    try {
      inv = await this.collectable(em, c.endCustomerInvoiceId, c.resellerId, c.amount, c.currency, true);
    } catch (e) {
      return { collectionId: null, why: (e as Error).message.slice(0, 200) };
    }
    const collectionId = await this.insert(em, inv, {
      method: 'CARD',
      amount: c.amount,
      fee: c.fee,
      reference: c.paymentIntentId,
      receivedOn: c.occurredOn,
      stripePaymentIntentId: c.paymentIntentId,
      createdBy: null,
    });
    return { collectionId };
  }

  private async collectable(
    em: EntityManager,
    invoiceId: string,
    resellerId: string | null,
    amount: Dec,
    currency: string,
    card = false,
  ): Promise<EcInvoiceRow> {
    const inv = await this.invoices.head(em, invoiceId, resellerId, true);
    const c = inv.currency.trim() as Currency;
    if (c !== currency)
      throw resellerBillingError(ResellerBillingErrorCode.CurrencyMismatch, `Invoice ${inv.number ?? inv.id} is in ${c}, not ${currency}`);
    // A card payment Stripe took is recorded whatever is due and whatever the opt-in says now (any excess
    // is the reseller's, held on 2500 like the rest): the money has arrived.
    if (card) {
      if (inv.status !== 'ISSUED')
        throw resellerBillingError(ResellerBillingErrorCode.InvoiceNotIssued, `End-customer invoice ${inv.id} is a DRAFT`);
      return inv;
    }
    await this.assertCollectable(inv, em);
    const due = new Dec(inv.gross).minus(inv.paid);
    if (amount.gt(due)) {
      throw resellerBillingError(ResellerBillingErrorCode.OverCollection, `Invoice ${inv.number} has ${moneyString(due, c)} ${c} due`, {
        due: moneyString(due, c),
        requested: moneyString(amount, c),
      });
    }
    return inv;
  }

  async assertCollectable(inv: EcInvoiceRow, em: EntityManager = this.db.manager): Promise<void> {
    if (!(await this.profiles.profile(inv.reseller_id, em)).collectionOnBehalf) {
      throw resellerBillingError(
        ResellerBillingErrorCode.NotEnabled,
        `Reseller ${inv.reseller_id} has not opted in to collection on its behalf`,
      );
    }
    if (inv.status !== 'ISSUED')
      throw resellerBillingError(ResellerBillingErrorCode.InvoiceNotIssued, `End-customer invoice ${inv.id} is a DRAFT`);
  }

  private async insert(
    em: EntityManager,
    inv: EcInvoiceRow,
    c: {
      method: 'CARD' | 'BANK_TRANSFER';
      amount: Dec;
      fee: Dec;
      reference: string;
      receivedOn: string;
      stripePaymentIntentId?: string;
      createdBy: string | null;
    },
  ): Promise<string> {
    const cur = inv.currency.trim() as Currency;
    // Posted no earlier than the invoice was issued; a closed month's collection on the first open day (docs/accounting.md §3).
    const posted = await this.ledger.postingDateFor(c.receivedOn < inv.issue_date! ? inv.issue_date! : c.receivedOn, em);
    const [row]: Array<{ id: string }> = await em.query(
      `INSERT INTO collections (reseller_id, end_customer_invoice_id, method, currency, amount, fee, reference, received_on, posted_on, stripe_payment_intent_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [
        inv.reseller_id,
        inv.id,
        c.method,
        cur,
        c.amount.toFixed(),
        c.fee.toFixed(),
        c.reference,
        c.receivedOn,
        posted,
        c.stripePaymentIntentId ?? null,
        c.createdBy,
      ],
    );
    const paid = Dec.min(c.amount, Dec.max(new Dec(inv.gross).minus(inv.paid), new Dec(0)));
    await this.invoices.addPaid(em, inv.id, paid);
    const cash = c.method === 'CARD' ? AccountCode.StripeClearing : AccountCode.Cash;
    await this.ledger.post(em, {
      entryDate: posted,
      memo: `Collected for reseller: ${c.method === 'CARD' ? 'card' : 'bank transfer'} ${c.reference} on ${inv.number}${posted !== c.receivedOn ? ` (received ${c.receivedOn})` : ''}`.slice(
        0,
        500,
      ),
      source: { type: 'collection', id: row.id },
      createdBy: c.createdBy,
      lines: [
        ...debit(cash, c.amount.minus(c.fee), inv.reseller_id, cur),
        ...debit(AccountCode.ProcessingFees, c.fee, inv.reseller_id, cur),
        ...credit(AccountCode.CollectionsHeld, c.amount, inv.reseller_id, cur),
      ],
    });
    return row.id;
  }

  async list(scope: string | null, q: CollectionQueryDto): Promise<Page<CollectionView>> {
    const params = [scope ?? q.resellerId ?? null, q.unsettled === undefined ? null : q.unsettled === 'true'];
    const cond = `WHERE ($1::uuid IS NULL OR c.reseller_id = $1::uuid) AND ($2::boolean IS NULL OR (c.settlement_id IS NULL) = $2::boolean)`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM collections c ${cond}`, params);
    const rows: CollectionRow[] = await this.db.query(
      `SELECT ${COLLECTION_COLUMNS} FROM collections c JOIN end_customer_invoices i ON i.id = c.end_customer_invoice_id ${cond}
        ORDER BY c.received_on DESC, c.created_at DESC, c.id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(rows.map(toCollectionView), total, q);
  }

  async view(em: EntityManager, id: string, scope: string | null): Promise<CollectionView> {
    const [row]: CollectionRow[] = await em.query(
      `SELECT ${COLLECTION_COLUMNS} FROM collections c JOIN end_customer_invoices i ON i.id = c.end_customer_invoice_id
        WHERE c.id = $1 AND ($2::uuid IS NULL OR c.reseller_id = $2::uuid)`,
      [id, scope],
    );
    if (!row) throw resellerBillingError(ResellerBillingErrorCode.NotFound, `Collection ${id} was not found`);
    return toCollectionView(row);
  }

  /** A settlement's collections. */
  async ofSettlement(em: EntityManager, settlementId: string): Promise<CollectionView[]> {
    const rows: CollectionRow[] = await em.query(
      `SELECT ${COLLECTION_COLUMNS} FROM collections c JOIN end_customer_invoices i ON i.id = c.end_customer_invoice_id
        WHERE c.settlement_id = $1 ORDER BY c.received_on, c.created_at, c.id`,
      [settlementId],
    );
    return rows.map(toCollectionView);
  }

  /** OnBehalfCollections.held: 2500's subledger, collections not settled (as of a date: by posting dates). */
  async held(asOf: string | null, resellerId: string | null, em: EntityManager): Promise<HeldAmount[]> {
    const rows: Array<{ reseller_id: string; currency: Currency; amount: string }> = await em.query(
      `SELECT c.reseller_id, c.currency, sum(c.amount)::text AS amount FROM collections c LEFT JOIN settlements s ON s.id = c.settlement_id
        WHERE ($1::date IS NULL OR c.posted_on <= $1::date) AND (s.id IS NULL OR ($1::date IS NOT NULL AND s.settled_on > $1::date))
          AND ($2::uuid IS NULL OR c.reseller_id = $2::uuid)
        GROUP BY 1, 2`,
      [asOf, resellerId],
    );
    return rows.map((r) => ({
      resellerId: r.reseller_id,
      currency: r.currency.trim() as Currency,
      amount: new Dec(r.amount),
    }));
  }

  /** OnBehalfCollections.stripeClearing: card collections net of their fees, per reseller (their share of 1050). */
  async stripeClearing(asOf: string | null, resellerId: string | null, em: EntityManager): Promise<HeldAmount[]> {
    const rows: Array<{ reseller_id: string; currency: Currency; amount: string }> = await em.query(
      `SELECT reseller_id, currency, sum(amount - fee)::text AS amount FROM collections
        WHERE method = 'CARD' AND ($1::date IS NULL OR posted_on <= $1::date) AND ($2::uuid IS NULL OR reseller_id = $2::uuid) GROUP BY 1, 2`,
      [asOf, resellerId],
    );
    return rows.map((r) => ({
      resellerId: r.reseller_id,
      currency: r.currency.trim() as Currency,
      amount: new Dec(r.amount),
    }));
  }
}

export function toCollectionView(r: CollectionRow): CollectionView {
  const c = r.currency.trim() as Currency;
  return {
    id: r.id,
    resellerId: r.reseller_id,
    endCustomerInvoiceId: r.end_customer_invoice_id,
    endCustomerInvoiceNumber: r.number,
    endCustomerId: r.end_customer_id,
    method: r.method,
    currency: c,
    amount: moneyString(r.amount, c),
    fee: moneyString(r.fee, c),
    reference: r.reference,
    receivedOn: r.received_on,
    settlementId: r.settlement_id,
    settledOn: r.settled_on,
  };
}
