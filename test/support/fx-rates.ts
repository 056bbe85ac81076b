import { Client } from 'pg';

/**
 * Exchange rates the test databases start with (docs/accounting.md §10): every currency the suites
 * post in has a rate from 2000-01-01, so a posting in USD, NZD, EUR, GBP or JPY finds one. A test
 * about rates adds later-dated ones on its own database.
 */
export const TEST_FX_RATES: Record<string, string> = {
  USD: '1.5',
  NZD: '0.9',
  EUR: '1.65',
  GBP: '1.95',
  JPY: '0.0102',
};
export const TEST_FX_RATES_FROM = '2000-01-01';

/** Inserts TEST_FX_RATES (dated TEST_FX_RATES_FROM) into the database at `url`; a no-op when they are there. */
export async function seedFxRates(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO fx_rates (currency, rate_date, rate, source)
       SELECT c, $3::date, r, 'seed' FROM unnest($1::char(3)[], $2::numeric[]) AS t(c, r)
       ON CONFLICT (currency, rate_date) DO NOTHING`,
      [Object.keys(TEST_FX_RATES), Object.values(TEST_FX_RATES), TEST_FX_RATES_FROM],
    );
  } finally {
    await c.end();
  }
}
