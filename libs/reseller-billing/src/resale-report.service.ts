// Reads end_customer_invoices and their lines (this module's) for the reseller's margin report and PSA export.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { csvText, Currency, Dec, moneyString } from '#disty/core';
import { margin } from './domain/pricing';
import { EndCustomerMarginView } from './dto/end-customer-invoice.dto';

export const PSA_COLUMNS = [
  'end_customer',
  'end_customer_reference',
  'sku',
  'description',
  'quantity',
  'period',
  'cost',
  'sell_price',
  'currency',
  'invoice_number',
] as const;

/**
 * What each end customer is worth to the reseller (docs/billing-on-behalf.md, "Reports"): per end
 * customer the net billed on the reseller's issued invoices dated in the period against what those
 * lines cost the reseller at the distributor, what was paid and what is still owed; and the same
 * lines as CSV for PSA tools (ConnectWise, Autotask, HaloPSA).
 */
@Injectable()
export class ResaleReportService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async margins(resellerId: string, from: string, to: string): Promise<EndCustomerMarginView> {
    const rows: Array<{
      end_customer_id: string;
      name: string;
      currency: Currency;
      sold: string;
      cost: string;
      paid: string;
      owed: string;
    }> = await this.db.query(
      `SELECT i.end_customer_id, i.buyer->>'name' AS name, i.currency, sum(i.net)::text AS sold, sum(i.cost)::text AS cost, sum(i.paid)::text AS paid,
              sum(greatest(i.gross - i.paid, 0))::text AS owed
         FROM end_customer_invoices i
        WHERE i.reseller_id = $1 AND i.status = 'ISSUED' AND i.issue_date BETWEEN $2 AND $3
        GROUP BY i.end_customer_id, i.buyer->>'name', i.currency ORDER BY lower(i.buyer->>'name'), i.end_customer_id, i.currency`,
      [resellerId, from, to],
    );
    return {
      resellerId,
      from,
      to,
      rows: rows.map((r) => {
        const c = r.currency.trim() as Currency;
        const m = margin(new Dec(r.sold), new Dec(r.cost));
        return {
          endCustomerId: r.end_customer_id,
          endCustomerName: r.name,
          currency: c,
          sold: moneyString(r.sold, c),
          cost: moneyString(r.cost, c),
          margin: moneyString(m.amount, c),
          marginPercent: m.percent ? m.percent.toFixed(2) : null,
          paid: moneyString(r.paid, c),
          owed: moneyString(r.owed, c),
        };
      }),
    };
  }

  /** The PSA export's rows: every end-customer invoice line of the period's billing (period end in [from, to]), drafts included. */
  async *psaRows(
    resellerId: string,
    from: string,
    to: string,
    endCustomerId: string | null,
  ): AsyncGenerator<Record<string, string | number | null>> {
    const rows: Array<{
      name: string;
      reference: string | null;
      sku: string;
      description: string;
      quantity: number;
      period_start: string | null;
      period_end: string | null;
      invoice_period: string;
      cost: string;
      net: string;
      currency: Currency;
      number: string | null;
    }> = await this.db.query(
      `SELECT i.buyer->>'name' AS name, i.buyer->>'reference' AS reference, l.sku, l.description, l.quantity,
              to_char(l.period_start, 'YYYY-MM-DD') AS period_start, to_char(l.period_end, 'YYYY-MM-DD') AS period_end,
              to_char(i.period_end, 'YYYY-MM') AS invoice_period, l.cost::text AS cost, l.net::text AS net, i.currency, i.number
         FROM end_customer_invoice_lines l JOIN end_customer_invoices i ON i.id = l.invoice_id
        WHERE i.reseller_id = $1 AND i.period_end BETWEEN $2 AND $3 AND ($4::uuid IS NULL OR i.end_customer_id = $4::uuid)
        ORDER BY lower(i.buyer->>'name'), i.period_end, i.id, l.line_no`,
      [resellerId, from, to, endCustomerId],
    );
    for (const r of rows) {
      const c = r.currency.trim() as Currency;
      yield {
        end_customer: csvText(r.name),
        end_customer_reference: csvText(r.reference),
        sku: r.sku,
        description: csvText(r.description),
        quantity: r.quantity,
        period: r.period_start && r.period_end ? `${r.period_start}..${r.period_end}` : r.invoice_period,
        cost: moneyString(r.cost, c),
        sell_price: moneyString(r.net, c),
        currency: c,
        invoice_number: r.number ?? '',
      };
    }
  }
}
