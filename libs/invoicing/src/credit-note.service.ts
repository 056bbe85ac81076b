import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  Clock,
  Dec,
  idempotentTransaction,
  minorUnits,
  moneyString,
  notFound,
  page,
  Page,
  retryOnConflict,
  validationError,
} from '#disty/core';
import { LedgerService, lockReceivables } from '#disty/ledger';
import { ResellerService } from '#disty/reseller';
import { WebhookService } from '#disty/webhooks';
import { creditLineAmounts, documentNumber, invoiceTotals } from './domain/invoice-math';
import { creditNotePosting } from './domain/postings';
import { CreditHoldService } from './credit-hold.service';
import { CreditApplicationService } from './credit-application.service';
import { ReceivablesService } from './receivables.service';
import { RevenueRecognitionService } from './revenue-recognition.service';
import { CreateCreditNoteDto, CreditNoteKind, CreditNoteQueryDto, CreditNoteView } from './dto/invoice.dto';
import { invoicingError, InvoicingErrorCode } from './errors';
import { mapCreditNote } from './invoice.mapper';
import { CREDIT_NOTE_COLUMNS, CreditNoteLineRow, CreditNoteRow, INVOICE_COLUMNS, InvoiceRow, LINE_COLUMNS, LineRow } from './invoicing.sql';

/** Why a credit note is issued (docs/money-integrity.md §3); the public endpoint always makes ADJUSTMENT. */
export type CreditNoteTag =
  | { kind: Extract<CreditNoteKind, 'ADJUSTMENT'> }
  | { kind: Extract<CreditNoteKind, 'SERVICE_CHANGE'>; subscriptionChangeId?: string | null };

/**
 * Credit notes (owns `credit_notes`, `credit_note_lines` and the invoices' credited columns): issuing
 * one on an invoice's lines, in its own transaction or in a caller's (a use case spanning modules,
 * e.g. a back-dated subscription change, docs/architecture.md §4), and the invoice lines a credit
 * for service may credit.
 */
@Injectable()
export class CreditNoteService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly clock: Clock,
    private readonly holds: CreditHoldService,
    private readonly credits: CreditApplicationService,
    private readonly receivables: ReceivablesService,
    private readonly webhooks: WebhookService,
    private readonly resellers: ResellerService,
    private readonly recognition: RevenueRecognitionService,
  ) {}

  /**
   * POST /invoices/:id/credit-notes: credits net amounts on invoice lines (tax at the line's
   * rate), numbered CN-YYYY-NNNNNN, posted debit 4900 net + 2100 tax, credit 1100/1110. A line is
   * never credited beyond its net (422 over-credit). Credit notes are usable credit
   * (docs/money-integrity.md §3): on a paid (or partly paid) invoice the part of the gross beyond
   * what is open on that side becomes the reseller's credit (the side's negative open amount),
   * applied at once, in the same transaction, to what the reseller owes (same credit line first);
   * what remains is refundable (POST /refunds). `tag` says why: ADJUSTMENT (the default, and
   * always for the public endpoint) or SERVICE_CHANGE (service not provided, with the subscription
   * change that caused it).
   */
  async createCreditNote(
    invoiceId: string,
    dto: CreateCreditNoteDto,
    createdBy: string | null,
    /** The caller's transaction (a use case spanning modules, e.g. a back-dated seat change); default: its own. */
    outer?: EntityManager,
    tag: CreditNoteTag = { kind: 'ADJUSTMENT' },
  ): Promise<CreditNoteView> {
    const ids = dto.lines.map((l) => l.invoiceLineId.toLowerCase());
    if (new Set(ids).size !== ids.length) {
      throw validationError('Each invoice line may appear once', [{ field: 'lines', message: 'duplicate invoiceLineId' }]);
    }
    const head: Array<{ reseller_id: string }> = await (outer ?? this.db.manager).query(`SELECT reseller_id FROM invoices WHERE id = $1`, [
      invoiceId,
    ]);
    if (!head.length) throw notFound(`Invoice ${invoiceId}`);
    const resellerId = head[0].reseller_id;
    const issueDate = this.clock.today();
    const work = async (em: EntityManager): Promise<CreditNoteView> => {
      await lockReceivables(em, resellerId);
      const [inv]: InvoiceRow[] = await em.query(`SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE i.id = $1 FOR UPDATE`, [invoiceId]);
      const c = inv.currency;
      const lines: LineRow[] = await em.query(
        `SELECT ${LINE_COLUMNS} FROM invoice_lines l WHERE l.invoice_id = $1 AND l.id = ANY($2::uuid[]) ORDER BY l.line_no FOR UPDATE`,
        [invoiceId, ids],
      );
      const byId = new Map(lines.map((l) => [l.id, l]));
      const credited: Array<{ line: LineRow; net: Dec; tax: Dec }> = [];
      dto.lines.forEach((req, i) => {
        const line = byId.get(req.invoiceLineId.toLowerCase());
        if (!line) {
          throw invoicingError(InvoicingErrorCode.InvalidCreditNote, `Line ${req.invoiceLineId} is not a line of invoice ${inv.number}`, {
            invoiceLineId: req.invoiceLineId,
          });
        }
        const amount = new Dec(req.amount);
        if (amount.decimalPlaces() > minorUnits(c)) {
          throw validationError(`amount has more decimals than ${c} allows`, [
            { field: `lines.${i}.amount`, message: `at most ${minorUnits(c)} decimals` },
          ]);
        }
        const res = creditLineAmounts(
          {
            net: new Dec(line.net),
            tax: new Dec(line.tax),
            creditedNet: new Dec(line.credited_net),
            creditedTax: new Dec(line.credited_tax),
          },
          amount,
          new Dec(line.tax_rate),
          c,
        );
        if (!res.ok) {
          throw invoicingError(
            InvoicingErrorCode.OverCredit,
            `Line ${line.line_no} of ${inv.number} can be credited at most ${moneyString(res.creditableNet, c)} ${c} net; ${moneyString(amount, c)} was asked`,
            {
              invoiceLineId: line.id,
              creditable: moneyString(res.creditableNet, c),
              requested: moneyString(amount, c),
            },
          );
        }
        credited.push({ line, net: res.net, tax: res.tax });
      });
      // What exceeds the side's open amount (paid, or already settled by credits) becomes the
      // reseller's credit: the side's open amount goes below zero and is applied below.
      const totals = invoiceTotals(
        credited.map((x) => ({
          creditLine: x.line.credit_line,
          net: x.net,
          tax: x.tax,
          gross: x.net.plus(x.tax),
        })),
      );
      const id = randomUUID();
      const year = Number(issueDate.slice(0, 4));
      const [{ seq }]: Array<{ seq: number }> = await em.query(
        `INSERT INTO document_counters AS c (series, year, last_number) VALUES ('CN', $1, 1)
           ON CONFLICT (series, year) DO UPDATE SET last_number = c.last_number + 1 RETURNING last_number AS seq`,
        [year],
      );
      const number = documentNumber('CN', year, seq);
      await em.query(
        `INSERT INTO credit_notes (id, number, year, seq, invoice_id, reseller_id, currency, issue_date, reason,
                                     hardware_net, hardware_tax, cloud_net, cloud_tax, created_by, kind, subscription_change_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          id,
          number,
          year,
          seq,
          invoiceId,
          resellerId,
          c,
          issueDate,
          dto.reason,
          totals.HARDWARE.net.toFixed(),
          totals.HARDWARE.tax.toFixed(),
          totals.CLOUD.net.toFixed(),
          totals.CLOUD.tax.toFixed(),
          createdBy,
          tag.kind,
          tag.kind === 'SERVICE_CHANGE' ? (tag.subscriptionChangeId ?? null) : null,
        ],
      );
      await em.query(
        `WITH t AS (SELECT * FROM unnest($2::uuid[], $3::text[], $4::numeric[], $5::numeric[]) AS t(line_id, credit_line, net, tax)),
           ins AS (
             INSERT INTO credit_note_lines (credit_note_id, invoice_line_id, reseller_id, credit_line, net, tax)
             SELECT $1, t.line_id, $6, t.credit_line, t.net, t.tax FROM t RETURNING 1)
           UPDATE invoice_lines l SET credited_net = l.credited_net + t.net, credited_tax = l.credited_tax + t.tax
             FROM t WHERE l.id = t.line_id`,
        [
          id,
          credited.map((x) => x.line.id),
          credited.map((x) => x.line.credit_line),
          credited.map((x) => x.net.toFixed()),
          credited.map((x) => x.tax.toFixed()),
          resellerId,
        ],
      );
      await em.query(
        `UPDATE invoices SET hardware_credited = hardware_credited + $2, cloud_credited = cloud_credited + $3,
                               credited_net = credited_net + $4 WHERE id = $1`,
        [invoiceId, totals.HARDWARE.gross.toFixed(), totals.CLOUD.gross.toFixed(), totals.all.net.toFixed()],
      );
      await this.receivables.insertMovements(
        em,
        invoiceId,
        resellerId,
        c,
        issueDate,
        'CREDIT_NOTE',
        { type: 'credit_note', id },
        { HARDWARE: totals.HARDWARE.gross.negated(), CLOUD: totals.CLOUD.gross.negated() },
      );
      // The credited cloud net still deferred comes out of 2400 (and out of what the charge
      // still releases); the rest, already recognised, is 4900's (docs/accounting.md §3).
      const fromDeferred = await this.recognition.creditDeferred(
        em,
        { id, issueDate, resellerId, currency: c },
        credited
          .filter((x) => x.line.credit_line === 'CLOUD' && x.line.source_type === 'subscription_charge')
          .map((x) => ({ invoiceLineId: x.line.id, net: x.net })),
      );
      await this.ledger.post(em, {
        entryDate: issueDate,
        memo: `Credit note ${number} on ${inv.number}: ${dto.reason}`.slice(0, 500),
        source: { type: 'credit_note', id },
        lines: creditNotePosting(totals, resellerId, c, fromDeferred),
        createdBy,
      });
      // The credit is usable at once: it pays what the reseller owes (this invoice's other side,
      // then the same credit line, then the other); the rest stays refundable.
      await this.credits.applyCredits(em, resellerId, c, issueDate, createdBy);
      await this.holds.releaseCleared(em, resellerId, issueDate);
      const [view] = await this.views(em, `c.id = $1`, [id]);
      // Announced in this transaction: sent if and only if the note is issued.
      const { id: creditNoteId, ...rest } = view;
      await this.webhooks.enqueue(em, resellerId, 'credit_note.issued', { creditNoteId, ...rest });
      return view;
    };
    // Its own transaction carries the Idempotency-Key's outcome; in the caller's, the caller's does.
    return outer ? work(outer) : retryOnConflict(() => idempotentTransaction(this.db, work));
  }

  // ---------------------------------------------------------------- reads

  /** GET /credit-notes: newest first; a reseller's user sees only its own (`scope`). */
  async list(scope: string | null, q: CreditNoteQueryDto): Promise<Page<CreditNoteView>> {
    const cond = `($1::uuid IS NULL OR c.reseller_id = $1::uuid) AND ($2::uuid IS NULL OR c.invoice_id = $2::uuid)
                  AND ($3::date IS NULL OR c.issue_date >= $3::date) AND ($4::date IS NULL OR c.issue_date <= $4::date)`;
    const params = [scope ?? q.resellerId ?? null, q.invoiceId ?? null, q.from ?? null, q.to ?? null];
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM credit_notes c WHERE ${cond}`, params);
    const items = await this.views(
      this.db.manager,
      cond,
      params,
      `ORDER BY c.issue_date DESC, c.year DESC, c.seq DESC LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
    );
    return page(items, total, q);
  }

  /** GET /credit-notes/:id; another reseller's is a 404. */
  async get(id: string, scope: string | null): Promise<CreditNoteView> {
    const [view] = await this.views(this.db.manager, `c.id = $1 AND ($2::uuid IS NULL OR c.reseller_id = $2::uuid)`, [id, scope]);
    if (!view) throw notFound(`Credit note ${id}`);
    return view;
  }

  /**
   * What the PDF shows beside the note: the reseller's name and country, and whether the credited
   * invoice was a tax invoice (it charged tax). An Australian buyer's credit on a tax invoice is an
   * "adjustment note" (docs/accounting.md §7).
   */
  async document(
    id: string,
    scope: string | null,
  ): Promise<{
    note: CreditNoteView;
    resellerName: string;
    title: string;
    lineDescriptions: Map<string, string>;
  }> {
    const note = await this.get(id, scope);
    const reseller = await this.resellers.getReseller(note.resellerId);
    const [inv]: Array<{ tax: string }> = await this.db.query(
      `SELECT (hardware_tax + cloud_tax)::text AS tax FROM invoices WHERE id = $1`,
      [note.invoiceId],
    );
    const taxInvoice = !new Dec(inv?.tax ?? 0).isZero();
    const described: Array<{ id: string; sku: string; description: string }> = await this.db.query(
      `SELECT l.id, l.sku, l.description FROM invoice_lines l WHERE l.id = ANY($1::uuid[])`,
      [note.lines.map((l) => l.invoiceLineId)],
    );
    return {
      note,
      resellerName: reseller.name,
      title: reseller.country.toUpperCase() === 'AU' && taxInvoice ? 'Adjustment note' : 'Credit note',
      lineDescriptions: new Map(described.map((d) => [d.id, `${d.sku}: ${d.description}`])),
    };
  }

  private async views(em: EntityManager, cond: string, params: unknown[], tail = ''): Promise<CreditNoteView[]> {
    const notes: CreditNoteRow[] = await em.query(`SELECT ${CREDIT_NOTE_COLUMNS} FROM credit_notes c WHERE ${cond} ${tail}`, params);
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

  /**
   * The issued invoice lines that billed these sources (e.g. subscription charges), with what is
   * still creditable on each, in the caller's transaction, locked FOR UPDATE.
   */
  async billedLinesOf(
    em: EntityManager,
    sourceType: string,
    sourceIds: string[],
  ): Promise<Array<{ invoiceId: string; invoiceLineId: string; sourceId: string; creditableNet: Dec }>> {
    if (!sourceIds.length) return [];
    const rows: LineRow[] = await em.query(
      `SELECT ${LINE_COLUMNS} FROM invoice_lines l WHERE l.source_type = $1 AND l.source_id = ANY($2::uuid[]) ORDER BY l.invoice_id, l.line_no FOR UPDATE`,
      [sourceType, sourceIds],
    );
    return rows.map((l) => ({
      invoiceId: l.invoice_id,
      invoiceLineId: l.id,
      sourceId: l.source_id,
      creditableNet: new Dec(l.net).minus(l.credited_net),
    }));
  }
}
