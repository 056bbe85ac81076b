import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { parse } from 'csv-parse/sync';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, Dec, FieldError, isCurrency, isValidCalendarDate, validationError } from '#disty/core';
import { ledgerError, LedgerErrorCode, mapLedgerDbError } from '../errors';
import { FxRateInputDto, FxRateView, RATE_STRING } from './fx-rate.dto';

export type RateSource = 'api' | 'csv' | 'seed';

interface RateRow {
  currency: Currency;
  rate_date: string;
  rate: string;
  source: string;
  created_at: Date;
}

/**
 * Exchange rates into the reporting currency (owns `fx_rates`; reads `ledger_settings`), see
 * docs/accounting.md §10. The rate of a currency for a date is the latest rate dated on or before
 * it; the reporting currency's rate is always 1. A rate some posted line used never changes (the
 * database refuses it, FXUSE → 409 fx-rate-in-use).
 */
@Injectable()
export class FxRateService {
  private reporting?: Currency;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: ConfigService,
  ) {}

  /** The reporting currency the books keep base amounts in (fixed by migration; REPORTING_CURRENCY must agree). */
  async reportingCurrency(em: EntityManager = this.db.manager): Promise<Currency> {
    if (!this.reporting) {
      const [row]: Array<{ reporting_currency: string }> = await em.query(`SELECT reporting_currency FROM ledger_settings`);
      const configured = this.config.get<string>('REPORTING_CURRENCY') ?? 'AUD';
      if (!row || !isCurrency(row.reporting_currency)) throw new Error('ledger_settings holds no reporting currency: run the migrations');
      if (row.reporting_currency !== configured) {
        throw new Error(
          `REPORTING_CURRENCY is ${configured} but the books are kept in ${row.reporting_currency}: the reporting currency cannot change once the ledger exists`,
        );
      }
      this.reporting = row.reporting_currency;
    }
    return this.reporting;
  }

  /**
   * The rate of each currency on `date` (base units per unit): the latest rate on or before that
   * date, 1 for the reporting currency. Any currency without one is a 422 fx-rate-missing naming it.
   */
  async ratesOn(em: EntityManager, currencies: Currency[], date: string): Promise<Map<Currency, Dec>> {
    const reporting = await this.reportingCurrency(em);
    const out = new Map<Currency, Dec>([[reporting, new Dec(1)]]);
    const foreign = [...new Set(currencies)].filter((c) => c !== reporting);
    if (!foreign.length) return out;
    const rows: Array<{ currency: Currency; rate: string }> = await em.query(
      `SELECT DISTINCT ON (currency) currency, rate FROM fx_rates
        WHERE currency = ANY($1::char(3)[]) AND rate_date <= $2::date ORDER BY currency, rate_date DESC`,
      [foreign, date],
    );
    for (const r of rows) out.set(r.currency, new Dec(r.rate));
    const missing = foreign.filter((c) => !out.has(c));
    if (missing.length) {
      throw ledgerError(
        LedgerErrorCode.FxRateMissing,
        `No ${missing.join(', ')} → ${reporting} exchange rate on or before ${date}: add one (POST /fx-rates) before posting in ${missing.join(', ')}`,
        { currency: missing[0], currencies: missing, date, reportingCurrency: reporting },
      );
    }
    return out;
  }

  /** Writes rates (new, or changed where no posted line used them) in one transaction: all or nothing. */
  async write(
    rates: FxRateInputDto[],
    source: RateSource,
    createdBy: string | null,
  ): Promise<{ reportingCurrency: Currency; written: number; unchanged: number; items: FxRateView[] }> {
    const reporting = await this.reportingCurrency();
    const errors: FieldError[] = [];
    const seen = new Map<string, string>();
    rates.forEach((r, i) => {
      const field = rates.length > 1 ? `rates[${i}]` : 'rate';
      if (r.currency === reporting)
        errors.push({
          field: `${field}.currency`,
          message: `${reporting} is the reporting currency: its rate is always 1`,
        });
      const key = `${r.currency}:${r.date}`;
      const prev = seen.get(key);
      if (prev !== undefined && !new Dec(prev).eq(r.rate))
        errors.push({ field, message: `${r.currency} on ${r.date} is given twice with different rates` });
      if (new Dec(r.rate).lte(0)) errors.push({ field: `${field}.rate`, message: 'rate must be greater than zero' });
      seen.set(key, r.rate);
    });
    if (errors.length) throw validationError('Some rates cannot be taken', errors);
    try {
      return await this.db.transaction(async (em) => {
        const written: RateRow[] = await em.query(
          `INSERT INTO fx_rates (currency, rate_date, rate, source, created_by)
           SELECT DISTINCT ON (c, d) c, d, r, $4, $5 FROM unnest($1::char(3)[], $2::date[], $3::numeric[]) AS t(c, d, r) ORDER BY c, d
           ON CONFLICT (currency, rate_date) DO UPDATE
             SET rate = EXCLUDED.rate, source = EXCLUDED.source, created_by = EXCLUDED.created_by, created_at = now()
             WHERE fx_rates.rate <> EXCLUDED.rate
           RETURNING currency, to_char(rate_date, 'YYYY-MM-DD') AS rate_date, rate, source, created_at`,
          [rates.map((r) => r.currency), rates.map((r) => r.date), rates.map((r) => r.rate), source, createdBy],
        );
        return {
          reportingCurrency: reporting,
          written: written.length,
          unchanged: seen.size - written.length,
          items: written.map(view),
        };
      });
    } catch (e) {
      throw mapLedgerDbError(e);
    }
  }

  /** A CSV of `currency,date,rate` rows (a header row is optional), all or nothing; errors name the line. */
  async importCsv(body: unknown, createdBy: string | null) {
    if (typeof body !== 'string' || !body.trim()) {
      throw validationError('Send the rates as CSV (Content-Type: text/csv): currency,date,rate', [
        { field: 'body', message: 'empty or not text/csv' },
      ]);
    }
    let records: string[][];
    try {
      records = parse(body, { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
    } catch (e) {
      throw validationError(`The CSV cannot be read: ${(e as Error).message}`, [{ field: 'body', message: 'malformed CSV' }]);
    }
    if (records.length && records[0].map((c) => c.toLowerCase()).join(',') === 'currency,date,rate') records = records.slice(1);
    if (!records.length) throw validationError('The CSV holds no rates', [{ field: 'body', message: 'no rows' }]);
    if (records.length > 5000) throw validationError('At most 5000 rates per import', [{ field: 'body', message: 'too many rows' }]);
    const errors: FieldError[] = [];
    const rates: FxRateInputDto[] = [];
    records.forEach((rec, i) => {
      const field = `line ${i + 1}`;
      if (rec.length !== 3) return errors.push({ field, message: `expected 3 columns (currency,date,rate), got ${rec.length}` });
      const [currency, date, rate] = rec;
      if (!isCurrency(currency)) errors.push({ field: `${field}.currency`, message: `unknown currency "${currency}"` });
      if (!isValidCalendarDate(date)) errors.push({ field: `${field}.date`, message: `"${date}" is not a YYYY-MM-DD date` });
      if (!RATE_STRING.test(rate)) errors.push({ field: `${field}.rate`, message: `"${rate}" is not a positive decimal rate` });
      rates.push({ currency: currency as Currency, date, rate });
    });
    if (errors.length) throw validationError('Some CSV rows are invalid; nothing was imported', errors.slice(0, 100));
    return this.write(rates, 'csv', createdBy);
  }

  async list(q: { currency?: Currency; from?: string; to?: string }) {
    if (q.from && q.to && q.from > q.to) throw validationError('from must not be after to', [{ field: 'from', message: 'after to' }]);
    const rows: RateRow[] = await this.db.query(
      `SELECT currency, to_char(rate_date, 'YYYY-MM-DD') AS rate_date, rate, source, created_at FROM fx_rates
        WHERE ($1::char(3) IS NULL OR currency = $1) AND ($2::date IS NULL OR rate_date >= $2) AND ($3::date IS NULL OR rate_date <= $3)
        ORDER BY currency, rate_date LIMIT 10000`,
      [q.currency ?? null, q.from ?? null, q.to ?? null],
    );
    return { reportingCurrency: await this.reportingCurrency(), items: rows.map(view) };
  }
}

function view(r: RateRow): FxRateView {
  return {
    currency: r.currency,
    date: r.rate_date,
    rate: new Dec(r.rate).toFixed(10),
    source: r.source,
    createdAt: r.created_at.toISOString(),
  };
}
