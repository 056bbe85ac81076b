import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Dec } from '#disty/core';
import { ServiceRecordService } from '#disty/subscription';

/** A billing period whose invoiced amount is not what its service was worth. */
export interface ConservationDifference {
  check: 'service-conservation' | 'charge-invoiced-as-charged';
  resellerId: string;
  subscriptionId: string;
  periodStart: string;
  periodEnd: string;
  expected: string;
  actual: string;
  message: string;
}

/**
 * Service conservation, period by period (docs/money-integrity.md §7): for every billing period
 * whose charges are all invoiced, Σ net of the invoice lines that billed them − Σ net of the
 * service-change credit notes on those lines = the value of the service the seat history gives
 * that period, within half a cent per rounded amount; and every billed charge is invoiced at its
 * amount. Goodwill (ADJUSTMENT) credit notes reduce what is owed, not the service, and are left
 * out. Read-only; owns no table.
 */
@Injectable()
export class ServiceConservationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly records: ServiceRecordService,
  ) {}

  async check(resellerId: string | null = null): Promise<ConservationDifference[]> {
    return this.db.transaction('REPEATABLE READ', async (em) => {
      const periods = await this.records.periods(resellerId, em);
      const lines: Array<{
        source_id: string;
        net: string;
        service_credited: string;
        service_lines: number;
      }> = await em.query(
        `SELECT l.source_id, l.net::text AS net, coalesce(sc.net, 0)::text AS service_credited, coalesce(sc.n, 0)::int AS service_lines
           FROM invoice_lines l
           LEFT JOIN (SELECT cl.invoice_line_id, sum(cl.net) AS net, count(*) AS n
                        FROM credit_note_lines cl JOIN credit_notes cn ON cn.id = cl.credit_note_id
                       WHERE cn.kind = 'SERVICE_CHANGE' GROUP BY cl.invoice_line_id) sc ON sc.invoice_line_id = l.id
          WHERE l.source_type = 'subscription_charge'
            AND ($1::uuid IS NULL OR l.invoice_id IN (SELECT i.id FROM invoices i WHERE i.reseller_id = $1))`,
        [resellerId],
      );
      const bySource = new Map(lines.map((l) => [l.source_id, l]));
      const out: ConservationDifference[] = [];
      for (const p of periods) {
        if (p.charges.some((c) => !c.billed)) continue; // not all invoiced yet: nothing to compare
        const at = {
          resellerId: p.resellerId,
          subscriptionId: p.subscriptionId,
          periodStart: p.period.start,
          periodEnd: p.period.end,
        };
        let invoiced = new Dec(0);
        let rounded = 0;
        for (const c of p.charges) {
          const line = bySource.get(c.id);
          if (!line || !new Dec(line.net).eq(c.amount)) {
            out.push({
              ...at,
              check: 'charge-invoiced-as-charged',
              expected: c.amount.toFixed(2),
              actual: line ? new Dec(line.net).toFixed(2) : 'none',
              message: `charge ${c.id} is billed but ${line ? 'invoiced at another amount' : 'on no invoice line'}`,
            });
            continue;
          }
          invoiced = invoiced.plus(line.net).minus(line.service_credited);
          rounded += 1 + line.service_lines;
        }
        const tolerance = new Dec('0.005').times(Math.max(rounded, 1)).plus('0.000001');
        if (invoiced.minus(p.value).abs().gt(tolerance)) {
          out.push({
            ...at,
            check: 'service-conservation',
            expected: p.value.toFixed(4),
            actual: invoiced.toFixed(4),
            message: `invoiced net of service credits differs from the service provided by more than the rounding of ${rounded} amount(s)`,
          });
        }
      }
      return out;
    });
  }
}
