import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CREDIT_LINES, CreditLine, Currency, Dec, notFound } from '#disty/core';
import { CreditApplicationService } from './credit-application.service';
import { CreditHoldService } from './credit-hold.service';
import { InvoiceStatus } from './dto/invoice.dto';
import { openOf } from './invoice.mapper';
import { INVOICE_COLUMNS, InvoiceRow, OFFSET_COLUMN } from './invoicing.sql';

/** An invoice as payments see it: its open amount per credit line. */
export interface OpenInvoice {
  id: string;
  number: string;
  resellerId: string;
  currency: Currency;
  issueDate: string;
  dueDate: string;
  status: InvoiceStatus;
  open: Record<CreditLine, Dec>;
}

export interface ApplyToInvoiceInput {
  invoiceId: string;
  /** Per credit line: > 0 pays (lowers what is open), < 0 re-opens (a refund). */
  amounts: Partial<Record<CreditLine, Dec>>;
  date: string;
  kind: 'PAYMENT' | 'REFUND';
  /** The ledger source of the posting that carries this movement. */
  source: { type: string; id: string };
}

/** An unused credit: the negative open amount of one credit line of an invoice, as a positive amount. */
export interface UnusedCredit {
  invoiceId: string;
  line: CreditLine;
  amount: Dec;
}

export type MovementKind = 'INVOICE' | 'PAYMENT' | 'CREDIT_NOTE' | 'REFUND' | 'WRITE_OFF';

/**
 * Invoicing's receivables, published for payments (docs/architecture.md §3): the open amounts of
 * invoices, paying and re-opening them, paying out unused credits, each with its AR subledger
 * movements (`ar_movements`), in the caller's transaction, which holds the reseller's receivables
 * lock and posts the matching ledger entry; applying usable credits and lifting cleared credit
 * holds after money moved. Payments reads and writes invoicing's tables only through here.
 */
@Injectable()
export class ReceivablesService {
  constructor(
    private readonly credits: CreditApplicationService,
    private readonly holds: CreditHoldService,
  ) {}

  /** Applies the reseller's usable credits to what it owes (CreditApplicationService.applyCredits); returns how many applications. */
  applyCredits(
    em: EntityManager,
    resellerId: string,
    currency: Currency,
    onOrAfter: string | null = null,
    createdBy: string | null = null,
  ): Promise<number> {
    return this.credits.applyCredits(em, resellerId, currency, onOrAfter, createdBy);
  }

  /** Lifts the reseller's credit holds whose overdue invoices are now cleared (CreditHoldService.releaseCleared). */
  async releaseCleared(em: EntityManager, resellerId: string, asOf: string): Promise<void> {
    await this.holds.releaseCleared(em, resellerId, asOf);
  }

  /** The reseller's invoices with something due, oldest first, locked FOR UPDATE (call lockReceivables first). */
  async openInvoices(em: EntityManager, resellerId: string, currency: Currency): Promise<OpenInvoice[]> {
    const rows: InvoiceRow[] = await em.query(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i
        WHERE i.reseller_id = $1 AND i.currency = $2 AND (i.hardware_open > 0 OR i.cloud_open > 0) AND i.hardware_open + i.cloud_open > 0
        ORDER BY i.issue_date, i.year, i.seq FOR UPDATE`,
      [resellerId, currency],
    );
    return rows.map(toOpenInvoice);
  }

  /** These invoices of the reseller (any status), locked FOR UPDATE in a fixed order; unknown or another reseller's are absent. */
  async lockInvoices(em: EntityManager, resellerId: string, ids: string[]): Promise<OpenInvoice[]> {
    if (!ids.length) return [];
    const rows: InvoiceRow[] = await em.query(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE i.id = ANY($1::uuid[]) AND i.reseller_id = $2 ORDER BY i.id FOR UPDATE`,
      [ids, resellerId],
    );
    return rows.map(toOpenInvoice);
  }

  /** One invoice (of the reseller `scope`, any reseller's when null), or null. */
  async findInvoice(em: EntityManager, id: string, scope: string | null = null): Promise<OpenInvoice | null> {
    const rows: InvoiceRow[] = await em.query(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE i.id = $1 AND ($2::uuid IS NULL OR i.reseller_id = $2::uuid)`,
      [id, scope],
    );
    return rows.length ? toOpenInvoice(rows[0]) : null;
  }

  /** The numbers of these invoices (by id; an unnumbered invoice is absent). */
  async invoiceNumbers(em: EntityManager, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows: Array<{ id: string; number: string | null }> = await em.query(
      `SELECT id, number FROM invoices WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.filter((r) => r.number !== null).map((r) => [r.id, r.number!]));
  }

  /**
   * Moves what is paid on an invoice per credit line, with its AR subledger movements, in the
   * caller's transaction (which posts the matching ledger entry). The table's CHECKs refuse paying
   * more than is open or refunding more than was paid.
   */
  async applyToInvoice(em: EntityManager, input: ApplyToInvoiceInput): Promise<OpenInvoice> {
    const hw = input.amounts.HARDWARE ?? new Dec(0);
    const cl = input.amounts.CLOUD ?? new Dec(0);
    const [rows]: [InvoiceRow[], number] = await em.query(
      `UPDATE invoices i SET hardware_paid = hardware_paid + $2, cloud_paid = cloud_paid + $3 WHERE id = $1
       RETURNING ${INVOICE_COLUMNS}`,
      [input.invoiceId, hw.toFixed(), cl.toFixed()],
    );
    if (!rows.length) throw notFound(`Invoice ${input.invoiceId}`);
    const inv = rows[0];
    await this.insertMovements(em, inv.id, inv.reseller_id, inv.currency, input.date, input.kind, input.source, {
      HARDWARE: hw.negated(),
      CLOUD: cl.negated(),
    });
    return toOpenInvoice(inv);
  }

  /**
   * The reseller's unused credits in a currency (negative open amounts per credit line), oldest
   * invoice first, HARDWARE before CLOUD on one invoice; locked FOR UPDATE with `lock`.
   */
  async unusedCredits(em: EntityManager, resellerId: string, currency: Currency, lock: boolean): Promise<UnusedCredit[]> {
    const inv: Array<{ id: string; hardware_open: string; cloud_open: string }> = await em.query(
      `SELECT id, hardware_open::text AS hardware_open, cloud_open::text AS cloud_open FROM invoices
        WHERE reseller_id = $1 AND currency = $2 AND (hardware_open < 0 OR cloud_open < 0)
        ORDER BY issue_date, year, seq, id ${lock ? 'FOR UPDATE' : ''}`,
      [resellerId, currency],
    );
    return inv.flatMap((r) =>
      CREDIT_LINES.map((l) => ({
        invoiceId: r.id,
        line: l,
        amount: new Dec(l === 'HARDWARE' ? r.hardware_open : r.cloud_open).negated(),
      })).filter((s) => s.amount.gt(0)),
    );
  }

  /**
   * Pays out part of an unused credit (a refund of the credit balance): the invoice's credit line
   * gets `amount` less credit (its offset column), with a REFUND movement of +amount dated `date`.
   */
  async payOutCredit(
    em: EntityManager,
    c: {
      invoiceId: string;
      resellerId: string;
      line: CreditLine;
      amount: Dec;
      currency: Currency;
      date: string;
      source: { type: string; id: string };
    },
  ): Promise<void> {
    const offset = OFFSET_COLUMN[c.line];
    await em.query(
      `WITH i AS (UPDATE invoices SET ${offset} = ${offset} - $4 WHERE id = $1 RETURNING 1)
       INSERT INTO ar_movements (invoice_id, reseller_id, credit_line, currency, movement_date, kind, amount, source_type, source_id)
       SELECT $1, $2, $3, $5, $6, 'REFUND', $4, $7, $8 FROM i`,
      [c.invoiceId, c.resellerId, c.line, c.amount.toFixed(), c.currency, c.date, c.source.type, c.source.id],
    );
  }

  /** Records the AR subledger movements of one event on one invoice (zero amounts give none). */
  async insertMovements(
    em: EntityManager,
    invoiceId: string,
    resellerId: string,
    currency: Currency,
    date: string,
    kind: MovementKind,
    source: { type: string; id: string },
    amounts: Record<CreditLine, Dec>,
  ): Promise<void> {
    const lines = CREDIT_LINES.filter((l) => !amounts[l].isZero());
    if (!lines.length) return;
    await em.query(
      `INSERT INTO ar_movements (invoice_id, reseller_id, credit_line, currency, movement_date, kind, amount, source_type, source_id)
       SELECT $1, $2, t.line, $3, $4, $5, t.amount, $6, $7 FROM unnest($8::text[], $9::numeric[]) AS t(line, amount)`,
      [invoiceId, resellerId, currency, date, kind, source.type, source.id, lines, lines.map((l) => amounts[l].toFixed())],
    );
  }
}

function toOpenInvoice(r: InvoiceRow): OpenInvoice {
  return {
    id: r.id,
    number: r.number,
    resellerId: r.reseller_id,
    currency: r.currency,
    issueDate: r.issue_date,
    dueDate: r.due_date,
    status: r.status,
    open: openOf(r),
  };
}
