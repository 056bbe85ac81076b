// Owns renewal_quotes and renewal_quote_sequences; prices through the catalog's read contract
// (catalog_current_prices) and reads subscription terms through renewal_subscription_terms
// (docs/architecture.md §3); announces acceptance through the webhooks module's outbox.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { addDays, Clock, Currency, Dec, moneyString, notFound, retryOnConflict } from '#disty/core';
import { ScheduledChangeService } from '#disty/subscription';
import { WebhookService } from '#disty/webhooks';
import { RenewalQuoteLineView, RenewalQuoteView } from './dto/renewal-quote.response';
import { renewalAlertError, RenewalAlertErrorCode } from './errors';

/** Default validity of a quote, in days from its issue date (docs/api-conventions.md). */
export const QUOTE_VALIDITY_DAYS = 30;

/** Months in a subscription term (the catalog's prices are monthly per unit, as the scan values renewals). */
const TERM_MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36 };

interface QuoteRow {
  id: string;
  number: string;
  reseller_id: string;
  alert_id: string;
  source: 'SUBSCRIPTION' | 'WARRANTY';
  subscription_id: string | null;
  order_line_id: string | null;
  term_end: string;
  end_customer_name: string;
  end_customer_reference: string | null;
  currency: Currency;
  lines: RenewalQuoteLineView[];
  total: string;
  issue_date: string;
  valid_until: string;
  status: 'OPEN' | 'ACCEPTED';
  created_by: string;
  created_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  scheduled_change_id: string | null;
}

const QUOTE_COLUMNS = `q.id, q.number, q.reseller_id, q.alert_id, q.source, q.subscription_id, q.order_line_id,
  to_char(q.term_end, 'YYYY-MM-DD') AS term_end, q.end_customer_name, q.end_customer_reference, q.currency, q.lines,
  q.total::text AS total, to_char(q.issue_date, 'YYYY-MM-DD') AS issue_date, to_char(q.valid_until, 'YYYY-MM-DD') AS valid_until,
  q.status, q.created_by, q.created_at, q.accepted_at, q.accepted_by, q.scheduled_change_id`;

/** "Q-2026-000042": the reseller's nth quote of the year. */
export function quoteNumber(year: number, n: number): string {
  return `Q-${year}-${String(n).padStart(6, '0')}`;
}

/**
 * Renewal quotes: made from a renewal alert (its card), priced at the catalog's current price
 * for the renewal's currency, numbered without gaps per reseller and year, served as JSON and
 * PDF, accepted once before they expire. Acceptance queues `renewal_quote.accepted` carrying
 * the change to schedule at renewal (docs/api-conventions.md, "Renewal quotes").
 */
@Injectable()
export class RenewalQuoteService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly webhooks: WebhookService,
    private readonly scheduled: ScheduledChangeService,
    private readonly clock: Clock,
  ) {}

  async create(
    alertId: string,
    scope: string | null,
    createdBy: string,
    opts: { validUntil?: string; quantity?: number } = {},
  ): Promise<RenewalQuoteView> {
    const issueDate = this.clock.today();
    const until = opts.validUntil ?? addDays(issueDate, QUOTE_VALIDITY_DAYS);
    if (until < issueDate) {
      throw renewalAlertError(RenewalAlertErrorCode.QuoteExpired, `validUntil ${until} is before today ${issueDate}`, {
        field: 'validUntil',
      });
    }
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const [alert]: Array<{
          id: string;
          reseller_id: string;
          source: 'SUBSCRIPTION' | 'WARRANTY';
          source_id: string;
          subscription_id: string | null;
          order_line_id: string | null;
          sku: string;
          quantity: number;
          end_customer_name: string;
          end_customer_reference: string | null;
          term_end: string;
          currency: Currency;
        }> = await em.query(
          `SELECT id, reseller_id, source, source_id, subscription_id, order_line_id, sku, quantity, end_customer_name,
                  end_customer_reference, to_char(term_end, 'YYYY-MM-DD') AS term_end, currency
             FROM renewal_alerts WHERE id = $1 AND ($2::uuid IS NULL OR reseller_id = $2::uuid)`,
          [alertId, scope],
        );
        if (!alert) throw notFound(`Renewal alert ${alertId}`);
        const [closed]: Array<{ status: string }> = await em.query(
          `SELECT status FROM renewal_alerts WHERE source = $1 AND source_id = $2 AND status IN ('LOST', 'DISMISSED') LIMIT 1`,
          [alert.source, alert.source_id],
        );
        if (closed) throw renewalAlertError(RenewalAlertErrorCode.RenewalClosed, `The renewal of alert ${alertId} is ${closed.status}`);

        const line =
          alert.source === 'SUBSCRIPTION'
            ? await this.subscriptionLine(em, alert, opts.quantity)
            : await this.warrantyLine(em, alert, opts.quantity);
        const [{ last_no }]: Array<{ last_no: number }> = await em.query(
          `INSERT INTO renewal_quote_sequences (reseller_id, year, last_no) VALUES ($1, $2, 1)
           ON CONFLICT ON CONSTRAINT renewal_quote_sequences_pkey
           DO UPDATE SET last_no = renewal_quote_sequences.last_no + 1 RETURNING last_no`,
          [alert.reseller_id, Number(issueDate.slice(0, 4))],
        );
        const [{ id }]: Array<{ id: string }> = await em.query(
          `INSERT INTO renewal_quotes (number, reseller_id, alert_id, source, subscription_id, order_line_id, term_end,
                                       end_customer_name, end_customer_reference, currency, lines, total, issue_date, valid_until, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15) RETURNING id`,
          [
            quoteNumber(Number(issueDate.slice(0, 4)), last_no),
            alert.reseller_id,
            alert.id,
            alert.source,
            alert.subscription_id,
            alert.order_line_id,
            alert.term_end,
            alert.end_customer_name,
            alert.end_customer_reference,
            alert.currency,
            JSON.stringify([line]),
            line.net,
            issueDate,
            until,
            createdBy,
          ],
        );
        return this.map(await this.findRow(em, id, scope));
      }),
    );
  }

  async get(id: string, scope: string | null): Promise<RenewalQuoteView> {
    return this.map(await this.findRow(this.db.manager, id, scope));
  }

  /**
   * Accepts an OPEN quote still valid today, once: 409 quote-already-accepted on a second accept,
   * 422 quote-expired past validUntil. For a subscription, schedules the quoted quantity from the
   * first day of the next term through SubscriptionChangeService (its rules apply: a subscription
   * no longer running refuses, and nothing is accepted). Queues `renewal_quote.accepted` in the same
   * transaction (a subscription: the scheduled change; a warranty: the extended warranty to order).
   */
  async accept(id: string, scope: string | null, actorId: string): Promise<RenewalQuoteView> {
    const today = this.clock.today();
    return this.db.transaction(async (em) => {
      const row = await this.findRow(em, id, scope, true);
      if (row.status === 'ACCEPTED') {
        throw renewalAlertError(
          RenewalAlertErrorCode.QuoteAlreadyAccepted,
          `Quote ${row.number} was accepted at ${new Date(row.accepted_at!).toISOString()}`,
        );
      }
      if (row.valid_until < today) {
        throw renewalAlertError(RenewalAlertErrorCode.QuoteExpired, `Quote ${row.number} was valid until ${row.valid_until}`, {
          validUntil: row.valid_until,
        });
      }
      const [line] = row.lines;
      let scheduledChangeId: string | null = null;
      if (row.source === 'SUBSCRIPTION' && row.subscription_id) {
        // The quoted quantity as the subscription's change at renewal, through the subscription
        // module's own scheduling: applied once by its renewal job when it creates the next term,
        // and shown on the renewal's card (docs/api-conventions.md, "Renewal quotes").
        const change = await this.scheduled.scheduleIn(
          em,
          row.subscription_id,
          row.reseller_id,
          { at: 'RENEWAL', quantity: line.quantity },
          { id: actorId, authority: scope === null ? 'DISTRIBUTOR' : 'RESELLER' },
        );
        scheduledChangeId = change.id;
      }
      await em.query(
        `UPDATE renewal_quotes SET status = 'ACCEPTED', accepted_at = now(), accepted_by = $2, scheduled_change_id = $3 WHERE id = $1`,
        [id, actorId, scheduledChangeId],
      );
      const fresh = this.map(await this.findRow(em, id, scope));
      const [l] = fresh.lines;
      await this.webhooks.enqueue(em, fresh.resellerId, 'renewal_quote.accepted', {
        quoteId: fresh.id,
        number: fresh.number,
        alertId: fresh.alertId,
        source: fresh.source,
        subscriptionId: fresh.subscriptionId,
        orderLineId: fresh.orderLineId,
        endCustomer: { name: fresh.endCustomerName, reference: fresh.endCustomerReference },
        currency: fresh.currency,
        total: fresh.total,
        acceptedAt: fresh.acceptedAt,
        acceptedBy: fresh.acceptedBy,
        // A subscription: the scheduled change made at acceptance; a warranty: the extended warranty to order.
        scheduledChange:
          fresh.source === 'SUBSCRIPTION'
            ? {
                id: fresh.scheduledChangeId,
                at: 'RENEWAL',
                effectiveDate: addDays(fresh.termEnd, 1),
                quantity: l.quantity,
                sku: l.sku,
              }
            : null,
        order: fresh.source === 'WARRANTY' ? { lines: [{ sku: l.sku, quantity: l.quantity }] } : null,
      });
      return fresh;
    });
  }

  private async subscriptionLine(
    em: EntityManager,
    a: {
      subscription_id: string | null;
      sku: string;
      quantity: number;
      currency: Currency;
      term_end: string;
    },
    quantity?: number,
  ): Promise<RenewalQuoteLineView> {
    const [r]: Array<{
      quantity: number;
      term: string;
      unit_price: string | null;
      product_name: string | null;
    }> = await em.query(
      `SELECT s.quantity, s.term, cp.unit_price::text AS unit_price, cp.product_name
         FROM renewal_subscription_terms s
         LEFT JOIN catalog_current_prices cp ON cp.sku = s.sku AND cp.currency = s.currency
        WHERE s.subscription_id = $1`,
      [a.subscription_id],
    );
    if (!r?.unit_price || !TERM_MONTHS[r.term]) {
      throw renewalAlertError(
        RenewalAlertErrorCode.NoCurrentPrice,
        `No current ${a.currency} price for ${a.sku} (or the subscription no longer renews)`,
      );
    }
    const unit = new Dec(r.unit_price).times(TERM_MONTHS[r.term]);
    const qty = quantity ?? r.quantity;
    return {
      sku: a.sku,
      description: `${r.product_name ?? a.sku}: ${r.term} term after ${a.term_end}`,
      quantity: qty,
      unitPrice: moneyString(unit, a.currency),
      net: moneyString(new Dec(moneyString(unit, a.currency)).times(qty), a.currency),
    };
  }

  private async warrantyLine(
    em: EntityManager,
    a: { sku: string; quantity: number; currency: Currency; term_end: string },
    quantity?: number,
  ): Promise<RenewalQuoteLineView> {
    const qty = quantity ?? a.quantity;
    const [r]: Array<{ sku: string; unit_price: string; product_name: string | null }> = await em.query(
      `SELECT e.sku, e.unit_price::text AS unit_price, e.product_name
         FROM catalog_current_prices h
         JOIN catalog_current_prices e ON e.sku = h.extended_warranty_sku AND e.currency = $2
        WHERE h.sku = $1 AND e.unit_price IS NOT NULL LIMIT 1`,
      [a.sku, a.currency],
    );
    if (!r) throw renewalAlertError(RenewalAlertErrorCode.NoCurrentPrice, `No current ${a.currency} extended warranty price for ${a.sku}`);
    return {
      sku: r.sku,
      description: `${r.product_name ?? r.sku}: extended warranty for ${a.sku} after ${a.term_end}`,
      quantity: qty,
      unitPrice: moneyString(r.unit_price, a.currency),
      net: moneyString(new Dec(moneyString(r.unit_price, a.currency)).times(qty), a.currency),
    };
  }

  private async findRow(em: EntityManager, id: string, scope: string | null, lock = false): Promise<QuoteRow> {
    const rows: QuoteRow[] = await em.query(
      `SELECT ${QUOTE_COLUMNS} FROM renewal_quotes q WHERE q.id = $1 AND ($2::uuid IS NULL OR q.reseller_id = $2::uuid) ${lock ? 'FOR UPDATE' : ''}`,
      [id, scope],
    );
    if (!rows.length) throw notFound(`Renewal quote ${id}`);
    return rows[0];
  }

  private map(r: QuoteRow): RenewalQuoteView {
    const expired = r.status === 'OPEN' && r.valid_until < this.clock.today();
    return {
      id: r.id,
      number: r.number,
      resellerId: r.reseller_id,
      alertId: r.alert_id,
      source: r.source,
      subscriptionId: r.subscription_id,
      orderLineId: r.order_line_id,
      termEnd: r.term_end,
      endCustomerName: r.end_customer_name,
      endCustomerReference: r.end_customer_reference,
      currency: r.currency,
      lines: r.lines,
      total: moneyString(r.total, r.currency),
      issueDate: r.issue_date,
      validUntil: r.valid_until,
      status: expired ? 'EXPIRED' : r.status,
      createdBy: r.created_by,
      createdAt: new Date(r.created_at).toISOString(),
      acceptedAt: r.accepted_at ? new Date(r.accepted_at).toISOString() : null,
      acceptedBy: r.accepted_by,
      scheduledChangeId: r.scheduled_change_id,
    };
  }
}
