import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  Clock,
  CREDIT_LINES,
  CreditLine,
  Currency,
  Dec,
  idempotentTransaction,
  minorUnits,
  moneyString,
  notFound,
  ProblemError,
  retryOnConflict,
  validationError,
} from '#disty/core';
import { AccountCode, debit, LedgerService, lockReceivables, receivableCredits } from '#disty/ledger';
import { planWriteOff, writableOff, WriteOffSide } from './domain/write-off';
import { CreateWriteOffDto, WriteOffQueryDto, WriteOffReportView, WriteOffView } from './dto/write-off.dto';
import { INVOICING_ERRORS, InvoicingErrorCode } from './errors';
import { CreditHoldService } from './credit-hold.service';
import { ReceivablesService } from './receivables.service';
import { INVOICE_COLUMNS, InvoiceRow } from './invoicing.sql';

export const WRITE_OFF_SOURCE = 'write_off';

interface WriteOffRow {
  id: string;
  invoice_id: string;
  invoice_number: string;
  reseller_id: string;
  currency: Currency;
  amount: string;
  hardware_amount: string;
  cloud_amount: string;
  net: string;
  tax: string;
  reason: string;
  written_off_on: string;
  created_by: string | null;
}

const WRITE_OFF_COLUMNS = `
  w.id, w.invoice_id, i.number AS invoice_number, w.reseller_id, w.currency, w.amount::text AS amount,
  w.hardware_amount::text AS hardware_amount, w.cloud_amount::text AS cloud_amount, w.net::text AS net, w.tax::text AS tax,
  w.reason, to_char(w.written_off_on, 'YYYY-MM-DD') AS written_off_on, w.created_by`;

/**
 * Write-offs (owns `write_offs` and the invoices' written-off columns): bad debt written off an
 * invoice, posted debit 6200 net + 2100 tax, credit 1100/1110 pro rata to what is open on each
 * credit line, with its AR subledger movements, so the invoice's open amount and AR aging drop
 * (docs/accounting.md §3, "write-off"). The write-offs report lists them.
 */
@Injectable()
export class WriteOffService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly receivables: ReceivablesService,
    private readonly holds: CreditHoldService,
    private readonly clock: Clock,
  ) {}

  /** POST /invoices/:id/write-off. More than is open: 422 over-write-off naming `amount`. */
  async writeOff(invoiceId: string, dto: CreateWriteOffDto, createdBy: string | null): Promise<WriteOffView> {
    const head: Array<{ reseller_id: string }> = await this.db.query(
      `SELECT reseller_id FROM invoices WHERE id = $1 AND number IS NOT NULL`,
      [invoiceId],
    );
    if (!head.length) throw notFound(`Invoice ${invoiceId}`);
    const resellerId = head[0].reseller_id;
    const reason = dto.reason.trim();
    if (!reason) throw validationError('reason is required', [{ field: 'reason', message: 'must not be blank' }]);
    const amount = new Dec(dto.amount);
    const date = this.clock.today();
    const id = randomUUID();
    return retryOnConflict(() =>
      idempotentTransaction(this.db, async (em) => {
        await lockReceivables(em, resellerId);
        const [inv]: InvoiceRow[] = await em.query(`SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE i.id = $1 FOR UPDATE`, [invoiceId]);
        const c = inv.currency;
        if (amount.decimalPlaces() > minorUnits(c)) {
          throw validationError(`amount has more decimals than ${c} allows`, [
            { field: 'amount', message: `at most ${minorUnits(c)} decimals` },
          ]);
        }
        const sides = await this.sides(em, inv);
        const plan = planWriteOff(amount, sides, c);
        if (!plan) {
          const open = writableOff(sides);
          const spec = INVOICING_ERRORS[InvoicingErrorCode.OverWriteOff];
          throw new ProblemError(
            spec.status,
            InvoicingErrorCode.OverWriteOff,
            spec.title,
            `${moneyString(open, c)} ${c} is open on ${inv.number}; ${moneyString(amount, c)} cannot be written off`,
            { open: moneyString(open, c), requested: moneyString(amount, c) },
            [{ field: 'amount', message: `at most ${moneyString(open, c)}` }],
          );
        }
        await em.query(
          `INSERT INTO write_offs (id, invoice_id, reseller_id, currency, amount, hardware_amount, cloud_amount, net, tax, reason,
                                   written_off_on, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            id,
            inv.id,
            resellerId,
            c,
            amount.toFixed(),
            plan.parts.HARDWARE.toFixed(),
            plan.parts.CLOUD.toFixed(),
            plan.net.toFixed(),
            plan.tax.toFixed(),
            reason,
            date,
            createdBy,
          ],
        );
        await em.query(
          `UPDATE invoices SET hardware_written_off = hardware_written_off + $2, cloud_written_off = cloud_written_off + $3 WHERE id = $1`,
          [inv.id, plan.parts.HARDWARE.toFixed(), plan.parts.CLOUD.toFixed()],
        );
        await this.receivables.insertMovements(
          em,
          inv.id,
          resellerId,
          c,
          date,
          'WRITE_OFF',
          { type: WRITE_OFF_SOURCE, id },
          {
            HARDWARE: plan.parts.HARDWARE.negated(),
            CLOUD: plan.parts.CLOUD.negated(),
          },
        );
        await this.ledger.post(em, {
          entryDate: date,
          memo: `Write-off of ${inv.number}: ${reason}`.slice(0, 500),
          source: { type: WRITE_OFF_SOURCE, id },
          createdBy,
          lines: [
            ...debit(AccountCode.BadDebts, plan.net, resellerId, c),
            ...debit(AccountCode.TaxPayable, plan.tax, resellerId, c),
            ...receivableCredits(plan.parts, resellerId, c),
          ],
        });
        await this.holds.releaseCleared(em, resellerId, date);
        return (await this.rows(em, `w.id = $1`, [id]))[0];
      }),
    );
  }

  /** GET /reports/write-offs: write-offs dated in [from, to], newest first, with totals per currency. */
  async report(q: WriteOffQueryDto): Promise<WriteOffReportView> {
    if (q.from && q.to && q.from > q.to) throw validationError('from must not be after to', [{ field: 'from', message: 'after to' }]);
    const cond = `($1::date IS NULL OR w.written_off_on >= $1::date) AND ($2::date IS NULL OR w.written_off_on <= $2::date)
                  AND ($3::uuid IS NULL OR w.reseller_id = $3::uuid)`;
    const params = [q.from ?? null, q.to ?? null, q.resellerId ?? null];
    const totals: Array<{ currency: Currency; n: number; amount: string; net: string; tax: string }> = await this.db.query(
      `SELECT w.currency, count(*)::int AS n, sum(w.amount)::text AS amount, sum(w.net)::text AS net, sum(w.tax)::text AS tax
         FROM write_offs w WHERE ${cond} GROUP BY w.currency ORDER BY w.currency`,
      params,
    );
    const items = await this.rows(
      this.db.manager,
      cond,
      params,
      `ORDER BY w.written_off_on DESC, w.created_at DESC, w.id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
    );
    return {
      items,
      total: totals.reduce((s, t) => s + t.n, 0),
      page: q.page,
      pageSize: q.pageSize,
      totals: totals.map((t) => ({
        currency: t.currency,
        amount: moneyString(t.amount, t.currency),
        net: moneyString(t.net, t.currency),
        tax: moneyString(t.tax, t.currency),
      })),
    };
  }

  /** Per credit line: what is open, and the gross and tax not credited (the tax ratio of what is written off). */
  private async sides(em: EntityManager, inv: InvoiceRow): Promise<Record<CreditLine, WriteOffSide>> {
    const rows: Array<{ credit_line: CreditLine; gross: string; tax: string }> = await em.query(
      `SELECT credit_line, sum(gross - credited_net - credited_tax)::text AS gross, sum(tax - credited_tax)::text AS tax
         FROM invoice_lines WHERE invoice_id = $1 GROUP BY credit_line`,
      [inv.id],
    );
    const open: Record<CreditLine, string> = { HARDWARE: inv.hardware_open, CLOUD: inv.cloud_open };
    return Object.fromEntries(
      CREDIT_LINES.map((l) => {
        const r = rows.find((x) => x.credit_line === l);
        return [
          l,
          {
            open: new Dec(open[l]),
            uncreditedGross: new Dec(r?.gross ?? 0),
            uncreditedTax: new Dec(r?.tax ?? 0),
          },
        ];
      }),
    ) as Record<CreditLine, WriteOffSide>;
  }

  private async rows(em: EntityManager, cond: string, params: unknown[], tail = ''): Promise<WriteOffView[]> {
    const rows: WriteOffRow[] = await em.query(
      `SELECT ${WRITE_OFF_COLUMNS} FROM write_offs w JOIN invoices i ON i.id = w.invoice_id WHERE ${cond} ${tail}`,
      params,
    );
    return rows.map((r) => {
      const c = r.currency;
      return {
        id: r.id,
        invoiceId: r.invoice_id,
        invoiceNumber: r.invoice_number,
        resellerId: r.reseller_id,
        currency: c,
        amount: moneyString(r.amount, c),
        net: moneyString(r.net, c),
        tax: moneyString(r.tax, c),
        parts: { HARDWARE: moneyString(r.hardware_amount, c), CLOUD: moneyString(r.cloud_amount, c) },
        reason: r.reason,
        writtenOffOn: r.written_off_on,
        createdBy: r.created_by,
      };
    });
  }
}
