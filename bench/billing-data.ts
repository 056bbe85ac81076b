/**
 * Billable data generated set-based in SQL (INSERT … SELECT over generate_series) straight into the
 * owning modules' tables (resellers and credit lines, orders, subscriptions), as they would be after
 * ordering, shipping and provisioning: used by the billing benchmark and the billing crash test.
 *
 * Per reseller: `subscriptionsPerReseller` MONTHLY P1Y subscriptions, each with its billable charge
 * (billing date in the period) and next month's (not yet billable), the first one reserved on
 * CLOUD; and `hardwarePerReseller` shipped hardware lines on one order, each reserved on HARDWARE.
 */
export interface BillingDataSpec {
  resellers: number;
  subscriptionsPerReseller: number;
  hardwarePerReseller: number;
  /** The period's first day: charges bill on it, hardware ships on it. */
  periodStart: string;
  /** Tag in names/SKUs so several data sets can live in one database. */
  tag?: string;
}

type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

export async function generateBillingData(query: Query, spec: BillingDataSpec): Promise<{ resellerIds: string[] }> {
  const tag = spec.tag ?? 'GEN';
  await query(
    `CREATE TEMP TABLE gen_resellers ON COMMIT PRESERVE ROWS AS
                 SELECT gen_random_uuid() AS id, g AS n FROM generate_series(1, $1::int) g`,
    [spec.resellers],
  );
  await query(
    `INSERT INTO resellers (id, name, currency, country, tax_rate, payment_terms_days)
     SELECT id, $1 || ' reseller ' || lpad(n::text, 6, '0'), 'AUD', 'AU', 0.10, 30 FROM gen_resellers`,
    [tag],
  );
  await query(
    `INSERT INTO credit_lines (reseller_id, line, currency, credit_limit)
     SELECT id, l, 'AUD', 100000000 FROM gen_resellers CROSS JOIN (VALUES ('HARDWARE'), ('CLOUD')) v(l)`,
  );

  if (spec.subscriptionsPerReseller > 0) {
    // Subscriptions (10 seats at 10.00 + n/100 a month), their first term and two monthly charges.
    await query(
      `CREATE TEMP TABLE gen_subs ON COMMIT PRESERVE ROWS AS
         SELECT gen_random_uuid() AS id, gen_random_uuid() AS term_id, gen_random_uuid() AS order_line_id,
                gen_random_uuid() AS charge_id, r.id AS reseller_id, s AS k, (10 + (s % 50) / 100.0)::numeric(20,4) AS unit_price
           FROM gen_resellers r CROSS JOIN generate_series(1, $1::int) s`,
      [spec.subscriptionsPerReseller],
    );
    const start = spec.periodStart;
    await query(
      `INSERT INTO subscriptions (id, reseller_id, order_line_id, sku, currency, term, billing_frequency, anchor_date, quantity,
                                  term_no, term_start, term_end, unit_price, end_customer_name, unit_cost)
       SELECT id, reseller_id, order_line_id, $2 || '-M365-' || (k % 20), 'AUD', 'P1Y', 'MONTHLY', $1::date, 10,
              1, $1::date, ($1::date + interval '1 year' - interval '1 day')::date, unit_price, 'End customer ' || k, round(unit_price * 0.8, 2)
         FROM gen_subs`,
      [start, tag],
    );
    await query(
      `INSERT INTO subscription_terms (id, subscription_id, reseller_id, term_no, start_date, end_date, unit_price, quantity, currency, billing_frequency,
                                       tax_rate, unit_cost, term, anchor_date, anchor_term_no)
       SELECT term_id, id, reseller_id, 1, $1::date, ($1::date + interval '1 year' - interval '1 day')::date, unit_price, 10, 'AUD', 'MONTHLY', 0.10,
              round(unit_price * 0.8, 2), 'P1Y', $1::date, 0
         FROM gen_subs`,
      [start],
    );
    await query(
      `INSERT INTO subscription_charges (id, reseller_id, subscription_id, term_id, kind, sku, billing_date, period_start, period_end,
                                         quantity, unit_price, amount, currency, description, tax_rate, unit_cost, cost)
       SELECT CASE WHEN m = 0 THEN charge_id ELSE gen_random_uuid() END, reseller_id, id, term_id, 'TERM', $2 || '-M365-' || (k % 20),
              ($1::date + make_interval(months => m))::date, ($1::date + make_interval(months => m))::date,
              ($1::date + make_interval(months => m + 1) - interval '1 day')::date, 10, unit_price, unit_price * 10, 'AUD',
              $2 || '-M365-' || (k % 20) || ' × 10, month ' || (m + 1), 0.10, round(unit_price * 0.8, 2), round(unit_price * 0.8, 2) * 10
         FROM gen_subs CROSS JOIN generate_series(0, 1) m`,
      [start, tag],
    );
    await query(
      `INSERT INTO credit_reservations (reseller_id, line, source_type, source_id, amount, remaining)
       SELECT reseller_id, 'CLOUD', 'subscription_charge', charge_id::text, round(unit_price * 10 * 1.1, 2), round(unit_price * 10 * 1.1, 2)
         FROM gen_subs`,
    );
  }

  if (spec.hardwarePerReseller > 0) {
    await query(
      `INSERT INTO orders (id, reseller_id, status, currency, tax_rate, end_customer_name)
       SELECT id, id, 'FULFILLED', 'AUD', 0.10, 'Hardware customer ' || n FROM gen_resellers`,
    );
    await query(
      `INSERT INTO order_lines (id, order_id, reseller_id, line_no, sku, product_name, vendor, kind, status, quantity, currency,
                                unit_price, net, tax, gross, warranty_months, shipped_on, warranty_end, tax_rate, unit_cost, cost)
       SELECT gen_random_uuid(), r.id, r.id, k, $2 || '-HW-' || (k % 30), 'Laptop model ' || (k % 30), 'Dell', 'HARDWARE', 'SHIPPED', 2, 'AUD',
              (500 + k)::numeric, (1000 + 2 * k)::numeric, round((1000 + 2 * k) * 0.10, 2), round((1000 + 2 * k) * 1.10, 2),
              12, $1::date, ($1::date + interval '1 year' - interval '1 day')::date, 0.10, (400 + k)::numeric, (800 + 2 * k)::numeric
         FROM gen_resellers r CROSS JOIN generate_series(1, $3::int) k`,
      [spec.periodStart, tag, spec.hardwarePerReseller],
    );
    await query(
      `INSERT INTO credit_reservations (reseller_id, line, source_type, source_id, amount, remaining)
       SELECT l.reseller_id, 'HARDWARE', 'order_line', l.id::text, l.gross, l.gross
         FROM order_lines l JOIN gen_resellers r ON r.id = l.reseller_id`,
    );
  }
  await query(
    `UPDATE credit_lines c SET reserved = t.amount FROM (
       SELECT reseller_id, line, sum(remaining) AS amount FROM credit_reservations
        WHERE reseller_id IN (SELECT id FROM gen_resellers) GROUP BY 1, 2) t
      WHERE c.reseller_id = t.reseller_id AND c.line = t.line`,
  );
  const rows = (await query(`SELECT id FROM gen_resellers ORDER BY n`)) as Array<{ id: string }>;
  await query(`DROP TABLE IF EXISTS gen_resellers, gen_subs`);
  // Statistics for the seeded tables only: analysing the still-empty invoice and journal tables
  // would record them as known-empty, and every foreign-key check the run makes on them would keep a
  // sequential-scan plan while they grow (as in the orders benchmark).
  await query(
    'ANALYZE resellers, credit_lines, products, product_prices, subscriptions, subscription_terms, subscription_charges, credit_reservations, orders, order_lines',
  );
  return { resellerIds: rows.map((r) => r.id) };
}
