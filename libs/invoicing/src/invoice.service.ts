import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  addDays,
  CREDIT_LINES,
  CreditLine,
  Currency,
  Dec,
  moneyString,
  notFound,
  page,
  Page,
  queryPrepared,
  ReadDatabase,
  sqlState,
} from '#disty/core';
import { LedgerService } from '#disty/ledger';
import { UsageBillingService } from '#disty/usage';
import {
  AGING_BUCKETS,
  AgingBucket,
  agingBucket,
  creditableNet,
  InvoiceTotals,
  invoiceTotals,
  PricedLine,
  shippedNet,
  usageNet,
} from './domain/invoice-math';
import { invoicePosting } from './domain/postings';
import { CreditApplicationService } from './credit-application.service';
import { AgingReportView, CreditNoteView, InvoiceLineView, InvoiceQueryDto, InvoiceSummaryView, InvoiceView } from './dto/invoice.dto';
import { invoicingError, InvoicingErrorCode } from './errors';
import { mapCreditNote, mapInvoice, mapInvoiceSummary, mapLine, openOf } from './invoice.mapper';
import {
  CREDIT_NOTE_COLUMNS,
  CreditNoteLineRow,
  CreditNoteRow,
  INSERT_INVOICE,
  INVOICE_COLUMNS,
  InvoiceRow,
  LINE_COLUMNS,
  LineRow,
  NUMBER_INVOICE,
} from './invoicing.sql';

/** What the billing run hands over to issue one consolidated invoice. */
export interface IssueInvoiceInput {
  id: string;
  reseller: { id: string; name: string; currency: Currency; paymentTermsDays: number };
  billingRunId: string | null;
  periodEnd: string;
  issueDate: string;
  lines: PricedLine[];
}

export interface IssuedInvoice {
  id: string;
  number: string;
  resellerId: string;
  currency: Currency;
  issueDate: string;
  dueDate: string;
  totals: InvoiceTotals;
  open: Record<CreditLine, Dec>;
  /** Hardware net whose revenue the shipments posted: credited to 1190, not 4000 (shippedNet). */
  shippedNet: Dec;
  /** Usage net: credited to 1190, not 2400 (usageNet). */
  usageNet: Dec;
}

/** An invoice created by `create` but not numbered or posted yet (`finishIssue` does both). */
export type NewInvoice = Omit<IssuedInvoice, 'number'>;

/**
 * Invoices: issuing (numbering, posting, AR subledger) in the billing run's transaction, reads and
 * PDF, the subledger and AR aging. Credit notes are `CreditNoteService`'s, the open-amount
 * operations payments build on `ReceivablesService`'s. The AR subledger (`ar_movements`) moves with
 * every posting to 1100/1110 this module or payments make, in the same transaction, so
 * reconciliation compares two independent records of the same events.
 */
@Injectable()
export class InvoiceService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly credits: CreditApplicationService,
    private readonly usage: UsageBillingService,
    private readonly reads: ReadDatabase,
  ) {}

  // ---------------------------------------------------------------- issuing

  /**
   * Issuing, step 1, in the caller's transaction: inserts the invoice, its lines and its AR
   * movements in one statement (which also marks the billing run's work item DONE with it), then
   * applies the reseller's usable credits. The caller then lets payments apply unapplied cash to
   * it and calls `finishIssue` (docs/architecture.md §5, "a billing run").
   */
  async create(em: EntityManager, input: IssueInvoiceInput): Promise<NewInvoice> {
    const { reseller, lines } = input;
    const c = reseller.currency;
    const totals = invoiceTotals(lines);
    const year = Number(input.issueDate.slice(0, 4));
    const dueDate = addDays(input.issueDate, reseller.paymentTermsDays);
    const col = <T>(f: (l: PricedLine) => T) => lines.map(f);
    const moveLines = CREDIT_LINES.filter((l) => !totals[l].gross.isZero());
    await queryPrepared(em, INSERT_INVOICE, [
      input.id,
      year,
      reseller.id,
      reseller.name,
      input.billingRunId,
      input.periodEnd,
      c,
      headerRate(lines),
      input.issueDate,
      dueDate,
      totals.HARDWARE.net.toFixed(),
      totals.HARDWARE.tax.toFixed(),
      totals.HARDWARE.gross.toFixed(),
      totals.CLOUD.net.toFixed(),
      totals.CLOUD.tax.toFixed(),
      totals.CLOUD.gross.toFixed(),
      creditableNet(lines).toFixed(),
      col((l) => l.lineNo),
      col((l) => l.creditLine),
      col((l) => l.sourceType),
      col((l) => l.sourceId),
      col((l) => l.sku),
      col((l) => l.description),
      col((l) => l.quantity),
      col((l) => l.periodStart ?? null),
      col((l) => l.periodEnd ?? null),
      col((l) => l.net.toFixed()),
      col((l) => l.tax.toFixed()),
      col((l) => l.gross.toFixed()),
      moveLines,
      moveLines.map((l) => totals[l].gross.toFixed()),
      col((l) => l.taxRate.toFixed()),
      col((l) => l.unitCost?.toFixed() ?? null),
      col((l) => l.cost?.toFixed() ?? null),
      col((l) => l.taxCode ?? null),
      col((l) => l.usageQuantity?.toFixed() ?? null),
      col((l) => l.usageUnit ?? null),
    ]);
    // Credits are usable (docs/money-integrity.md): this invoice's negative side nets against its
    // other side, then against the reseller's other open invoices, and the reseller's unused
    // credits pay this invoice, before any unapplied cash does.
    let open: Record<CreditLine, Dec> = { HARDWARE: totals.HARDWARE.gross, CLOUD: totals.CLOUD.gross };
    if (await this.credits.applyCredits(em, reseller.id, c, input.issueDate)) {
      const [row]: Array<{ hardware_open: string; cloud_open: string }> = await em.query(
        `SELECT hardware_open::text AS hardware_open, cloud_open::text AS cloud_open FROM invoices WHERE id = $1`,
        [input.id],
      );
      open = openOf(row);
    }
    return {
      id: input.id,
      resellerId: reseller.id,
      currency: c,
      issueDate: input.issueDate,
      dueDate,
      totals,
      open,
      shippedNet: shippedNet(lines),
      usageNet: usageNet(lines),
    };
  }

  /**
   * Issuing, step 2, the last steps before commit: takes the next gapless number of the issue year
   * (the counter row stays locked until commit, and a rollback returns the number), posts the
   * invoice to the ledger (docs/accounting.md §3, source { type: 'invoice', id }). Keeping the
   * numbering and the posting (whose daily totals every invoice of a run shares) last keeps the
   * part that invoices of concurrent transactions wait on short.
   */
  async finishIssue(em: EntityManager, draft: NewInvoice): Promise<IssuedInvoice> {
    const input = { id: draft.id, issueDate: draft.issueDate };
    const { totals, currency: c } = draft;
    const year = Number(draft.issueDate.slice(0, 4));
    // A trigger refuses a number while a later-dated invoice of the year already has one
    // (numbers follow issue dates, also across concurrent runs: the counter row serialises them).
    const numbered = await queryPrepared<{ number: string }>(em, NUMBER_INVOICE, [input.id, year]).catch((e: unknown) => {
      const code = sqlState(e);
      if (code === 'IVORD') {
        throw invoicingError(
          InvoicingErrorCode.InvoiceDateOrder,
          `An invoice dated ${input.issueDate} cannot be numbered after a later-dated invoice of ${year}`,
          {
            issueDate: input.issueDate,
          },
        );
      }
      throw e;
    });
    const number = numbered[0].number;
    const posting = invoicePosting(totals, draft.resellerId, c, draft.shippedNet, draft.usageNet);
    if (posting.length >= 2) {
      await this.ledger.post(em, {
        entryDate: input.issueDate,
        memo: `Invoice ${number}`,
        source: { type: 'invoice', id: input.id },
        lines: posting,
      });
    }
    return { ...draft, number };
  }

  // ---------------------------------------------------------------- reads

  async list(scope: string | null, q: InvoiceQueryDto): Promise<Page<InvoiceSummaryView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const reseller = scope ?? q.resellerId;
    if (reseller) add('i.reseller_id = ?', reseller);
    if (q.status) add('i.status = ?', q.status);
    if (q.from) add('i.issue_date >= ?', q.from);
    if (q.to) add('i.issue_date <= ?', q.to);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM invoices i ${cond}`, params);
    const rows: InvoiceRow[] = await this.db.query(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i ${cond}
        ORDER BY i.issue_date DESC, i.year DESC, i.seq DESC LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(rows.map(mapInvoiceSummary), total, q);
  }

  /** The invoice with its lines and credit notes; another reseller's is a 404. */
  /**
   * The daily detail of a usage line (GET /invoices/:id/lines/:lineId/usage.csv): the line must be
   * a usage line of the invoice, and the invoice the caller's (404 otherwise).
   */
  async usageDetail(
    id: string,
    lineId: string,
    scope: string | null,
  ): Promise<{ number: string; rows: AsyncGenerator<Record<string, string | number | null>> }> {
    const rows: Array<{ number: string; source_id: string }> = await this.db.query(
      `SELECT i.number, l.source_id FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
        WHERE l.id = $2 AND i.id = $1 AND l.source_type = 'usage' AND ($3::uuid IS NULL OR i.reseller_id = $3::uuid)`,
      [id, lineId, scope],
    );
    if (!rows.length) throw notFound(`Usage line ${lineId} of invoice ${id}`);
    return { number: rows[0].number, rows: this.usage.dailyDetail(rows[0].source_id) };
  }

  async get(id: string, scope: string | null, em: EntityManager = this.db.manager): Promise<InvoiceView> {
    const rows: InvoiceRow[] = await em.query(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE i.id = $1 AND ($2::uuid IS NULL OR i.reseller_id = $2::uuid)`,
      [id, scope],
    );
    if (!rows.length) throw notFound(`Invoice ${id}`);
    // One after the other: `em` may be a transaction's, whose one connection runs one query at a time.
    const lines: LineRow[] = await em.query(`SELECT ${LINE_COLUMNS} FROM invoice_lines l WHERE l.invoice_id = $1 ORDER BY l.line_no`, [id]);
    const notes = await this.creditNotesOf(em, id);
    return mapInvoice(rows[0], lines, notes);
  }

  /**
   * The invoice without its lines (for the PDF, which reads them page by page with linePages so
   * that an invoice of any size is never loaded, parsed and mapped in one go).
   */
  async getHead(id: string, scope: string | null): Promise<InvoiceView> {
    const rows: InvoiceRow[] = await this.db.query(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE i.id = $1 AND ($2::uuid IS NULL OR i.reseller_id = $2::uuid)`,
      [id, scope],
    );
    if (!rows.length) throw notFound(`Invoice ${id}`);
    return mapInvoice(rows[0], [], await this.creditNotesOf(this.db.manager, id));
  }

  /** The invoice's lines on one credit line, in line order, `pageSize` at a time (keyset on line_no). */
  async *linePages(invoice: { id: string; currency: Currency }, creditLine: CreditLine, pageSize = 500): AsyncGenerator<InvoiceLineView[]> {
    let after = 0;
    for (;;) {
      const rows: LineRow[] = await this.db.query(
        `SELECT ${LINE_COLUMNS} FROM invoice_lines l WHERE l.invoice_id = $1 AND l.credit_line = $2 AND l.line_no > $3
          ORDER BY l.line_no LIMIT ${Math.max(1, Math.min(pageSize, 5000))}`,
        [invoice.id, creditLine, after],
      );
      if (!rows.length) return;
      yield rows.map((l) => mapLine(l, invoice.currency));
      after = rows[rows.length - 1].line_no;
      if (rows.length < pageSize) return;
    }
  }

  private async creditNotesOf(em: EntityManager, invoiceId: string): Promise<CreditNoteView[]> {
    const notes: CreditNoteRow[] = await em.query(
      `SELECT ${CREDIT_NOTE_COLUMNS} FROM credit_notes c WHERE c.invoice_id = $1 ORDER BY c.year, c.seq`,
      [invoiceId],
    );
    if (!notes.length) return [];
    const lines: CreditNoteLineRow[] = await em.query(
      `SELECT credit_note_id, invoice_line_id, credit_line, net::text AS net, tax::text AS tax FROM credit_note_lines
        WHERE credit_note_id = ANY($1::uuid[]) ORDER BY credit_note_id, invoice_line_id`,
      [notes.map((n) => n.id)],
    );
    return notes.map((n) =>
      mapCreditNote(
        n,
        lines.filter((l) => l.credit_note_id === n.id),
      ),
    );
  }

  // ---------------------------------------------------------------- aging

  /**
   * GET /reports/ar-aging: open amounts as of a date per reseller and credit line, by days past due;
   * read through `em` when given (a statement reads it with its movements), else on the read
   * replica when one is configured (docs/operations.md §15).
   */
  async arAging(asOf: string, resellerId: string | null, em?: EntityManager): Promise<AgingReportView> {
    const query = (sql: string, p: unknown[]) => (em ? em.query(sql, p) : this.reads.query(sql, p));
    const rows: Array<{
      reseller_id: string;
      reseller_name: string;
      currency: Currency;
      credit_line: CreditLine;
      days: number;
      open: string;
    }> = await query(
      `WITH o AS (
           SELECT m.invoice_id, m.credit_line, sum(m.amount) AS open FROM ar_movements m
            WHERE m.movement_date <= $1 AND ($2::uuid IS NULL OR m.reseller_id = $2::uuid)
            GROUP BY 1, 2 HAVING sum(m.amount) <> 0)
         SELECT i.reseller_id, i.currency, o.credit_line, ($1::date - i.due_date) AS days, o.open::text AS open,
                (SELECT i2.reseller_name FROM invoices i2 WHERE i2.reseller_id = i.reseller_id ORDER BY i2.issue_date DESC, i2.seq DESC LIMIT 1) AS reseller_name
           FROM o JOIN invoices i ON i.id = o.invoice_id
          ORDER BY i.reseller_id, i.currency, o.credit_line`,
      [asOf, resellerId],
    );
    const empty = (): Record<AgingBucket, Dec> => Object.fromEntries(AGING_BUCKETS.map((b) => [b, new Dec(0)])) as Record<AgingBucket, Dec>;
    const groups = new Map<
      string,
      {
        resellerId: string;
        resellerName: string;
        currency: Currency;
        creditLine: CreditLine;
        b: Record<AgingBucket, Dec>;
      }
    >();
    const totals = new Map<Currency, Record<AgingBucket, Dec>>();
    for (const r of rows) {
      const key = `${r.reseller_id}|${r.currency}|${r.credit_line}`;
      const g = groups.get(key) ?? {
        resellerId: r.reseller_id,
        resellerName: r.reseller_name,
        currency: r.currency,
        creditLine: r.credit_line,
        b: empty(),
      };
      const bucket = agingBucket(Number(r.days));
      g.b[bucket] = g.b[bucket].plus(r.open);
      groups.set(key, g);
      const t = totals.get(r.currency) ?? empty();
      t[bucket] = t[bucket].plus(r.open);
      totals.set(r.currency, t);
    }
    const fmt = (b: Record<AgingBucket, Dec>, c: Currency) =>
      Object.fromEntries(AGING_BUCKETS.map((k) => [k, moneyString(b[k], c)])) as Record<AgingBucket, string>;
    const sum = (b: Record<AgingBucket, Dec>) => AGING_BUCKETS.reduce((s, k) => s.plus(b[k]), new Dec(0));
    return {
      asOf,
      items: [...groups.values()].map((g) => ({
        resellerId: g.resellerId,
        resellerName: g.resellerName,
        currency: g.currency,
        creditLine: g.creditLine,
        buckets: fmt(g.b, g.currency),
        total: moneyString(sum(g.b), g.currency),
      })),
      totals: [...totals.entries()].map(([c, b]) => ({
        currency: c,
        buckets: fmt(b, c),
        total: moneyString(sum(b), c),
      })),
    };
  }
}

/** The rate an invoice's header shows: its lines' rate when they share one, else null (each line keeps its own code and rate). */
function headerRate(lines: PricedLine[]): string | null {
  const rates = [...new Set(lines.map((l) => l.taxRate.toFixed()))];
  return rates.length === 1 ? rates[0] : null;
}
