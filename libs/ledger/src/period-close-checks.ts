import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Dec } from '#disty/core';

/** One kind of unexplained item found in a month about to close (docs/accounting.md §9). */
export interface PeriodCloseFinding {
  /** Which check found it, e.g. `shipped-not-invoiced`. */
  check: string;
  message: string;
  count: number;
  /** Totals per currency, decimal strings. */
  amounts: Array<{ currency: string; amount: string }>;
  /** Up to 50 examples (ids and amounts) so finance can look them up. */
  items: Array<Record<string, string | number | null>>;
}

/**
 * A module's check of a month's content before it closes: what that module still holds for the
 * month that the books do not explain yet (revenue due but not recognised, lines shipped but not
 * invoiced, costs accrued but not billed by the vendor). Returns null when the month is clean.
 */
export interface PeriodCloseCheck {
  name: string;
  /** `from`..`to` are the month's first and last days. Runs in the closing transaction. */
  find(em: EntityManager, month: { period: string; from: string; to: string }): Promise<PeriodCloseFinding | null>;
}

/**
 * The checks a month close runs. Modules that own month-end items register theirs at start-up
 * through LedgerService.registerCloseCheck, so the ledger runs them without knowing their tables.
 */
@Injectable()
export class PeriodCloseChecks {
  private readonly checks = new Map<string, PeriodCloseCheck>();

  register(check: PeriodCloseCheck): void {
    this.checks.set(check.name, check);
  }

  async run(em: EntityManager, period: string): Promise<PeriodCloseFinding[]> {
    const from = `${period}-01`;
    const [{ to }]: Array<{ to: string }> = await em.query(
      `SELECT to_char((date_trunc('month', $1::date) + interval '1 month - 1 day')::date, 'YYYY-MM-DD') AS to`,
      [from],
    );
    const findings: PeriodCloseFinding[] = [];
    for (const check of [...this.checks.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const finding = await check.find(em, { period, from, to });
      if (finding && finding.count > 0) findings.push(finding);
    }
    return findings;
  }
}

/** Sums amounts per currency for a finding (decimal strings in, decimal strings out, by currency). */
export function totalsByCurrency(rows: Array<{ currency: string; amount: string }>): PeriodCloseFinding['amounts'] {
  const sums = new Map<string, Dec>();
  for (const r of rows) sums.set(r.currency, (sums.get(r.currency) ?? new Dec(0)).plus(r.amount));
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount: amount.toFixed() }));
}
