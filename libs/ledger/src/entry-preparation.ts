import { EntityManager } from 'typeorm';
import { Dec, minorUnits } from '#disty/core';
import { AccountType, MANUAL_SOURCE } from './domain/accounts';
import { checkEntry, NormalisedLine } from './domain/entry-rules';
import { baseAmounts, baseDifference, BasedLine } from './domain/base-amounts';
import { ledgerError, LedgerErrorCode } from './errors';
import { FxRateService } from './fx/fx-rate.service';
import { NO_RESELLER } from './ledger.sql';
import type { PostEntryInput } from './ledger.service';

export type Chart = Map<string, { name: string; type: AccountType; control: boolean }>;

/** What preparing an entry reads: the (cached) chart of accounts, the rates, and today. */
export interface PrepareDeps {
  chart: Chart;
  fx: Pick<FxRateService, 'reportingCurrency' | 'ratesOn'>;
  today: string;
}

/**
 * An entry checked and given its base amounts, before it is written (LedgerService.post and
 * LedgerBatchService.postBatch both write what this returns): the double-entry rules, known
 * accounts, no control account in a manual entry, not future-dated (domain errors, before the
 * database's triggers check again), then each line's base amounts.
 */
export async function prepareEntry(em: EntityManager, input: PostEntryInput, deps: PrepareDeps): Promise<BasedLine[]> {
  const { chart, today } = deps;
  const { lines, problems } = checkEntry(input.lines);
  const unbalanced = problems.find((p) => p.kind === 'unbalanced');
  if (unbalanced && unbalanced.kind === 'unbalanced') {
    throw ledgerError(
      LedgerErrorCode.UnbalancedEntry,
      `Debits (${unbalanced.debit.toFixed()}) and credits (${unbalanced.credit.toFixed()}) differ in ${unbalanced.currency}`,
      {
        currency: unbalanced.currency,
        debit: unbalanced.debit.toFixed(),
        credit: unbalanced.credit.toFixed(),
      },
    );
  }
  if (problems.length) {
    const p = problems[0];
    throw ledgerError(
      LedgerErrorCode.InvalidEntry,
      p.kind === 'too-few-lines'
        ? `An entry needs at least two lines; it has ${p.count}`
        : `Line ${p.kind === 'one-side' ? p.index : '?'} must have exactly one of debit or credit, greater than zero`,
    );
  }
  const unknown = lines.find((l) => !chart.has(l.accountCode));
  if (unknown) throw ledgerError(LedgerErrorCode.UnknownAccount, `Account ${unknown.accountCode} is not in the chart of accounts`);
  if (input.source.type === MANUAL_SOURCE) {
    const control = lines.find((l) => chart.get(l.accountCode)!.control);
    if (control) {
      throw ledgerError(
        LedgerErrorCode.ControlAccount,
        `Account ${control.accountCode} is a control account: it moves only through its documents (invoice, credit note, payment, refund), not by a manual entry`,
        { accountCode: control.accountCode },
      );
    }
  }
  if (input.entryDate > today) {
    throw ledgerError(LedgerErrorCode.FutureDated, `An entry cannot be dated ${input.entryDate}, after today (${today})`, {
      entryDate: input.entryDate,
      today,
    });
  }
  return withBase(em, input, lines, deps);
}

/**
 * Each line's base amounts (docs/accounting.md §10): at the rate of the entry's date (422
 * fx-rate-missing when a currency has none), at the account's carrying value for `carrying`
 * lines, or as given; plus the base-only FX difference line when asked for. The entry must
 * balance in base (422 unbalanced-base; the database checks again at commit, LD004).
 */
async function withBase(em: EntityManager, input: PostEntryInput, lines: NormalisedLine[], deps: PrepareDeps): Promise<BasedLine[]> {
  const chart = deps.chart;
  const reporting = await deps.fx.reportingCurrency(em);
  const needRate = lines.filter((l) => !l.base).map((l) => l.currency);
  const rates = await deps.fx.ratesOn(em, needRate, input.entryDate);
  const carried = lines.filter((l) => l.baseAt === 'carrying' && !l.base);
  const ratios = new Map<string, Dec>();
  const key = (accountCode: string, resellerId: string | null, currency: string) => `${accountCode}|${resellerId ?? ''}|${currency}`;
  if (carried.length) {
    const rows: Array<{
      account_code: string;
      reseller_key: string;
      currency: string;
      d: string;
      c: string;
      bd: string;
      bc: string;
    }> = await em.query(
      `SELECT account_code, reseller_key, currency, debit_total AS d, credit_total AS c, base_debit_total AS bd, base_credit_total AS bc
         FROM account_balances b
         JOIN unnest($1::text[], $2::uuid[], $3::text[]) AS k(a, r, cu) ON b.account_code = k.a AND b.reseller_key = k.r AND b.currency = k.cu`,
      [carried.map((l) => l.accountCode), carried.map((l) => l.resellerId ?? NO_RESELLER), carried.map((l) => l.currency)],
    );
    for (const r of rows) {
      const amount = new Dec(r.d).minus(r.c);
      const base = new Dec(r.bd).minus(r.bc);
      if (!amount.isZero())
        ratios.set(key(r.account_code, r.reseller_key === NO_RESELLER ? null : r.reseller_key, r.currency), base.div(amount));
    }
  }
  if (input.fxDifferenceAccount && !chart.has(input.fxDifferenceAccount)) {
    throw ledgerError(LedgerErrorCode.UnknownAccount, `Account ${input.fxDifferenceAccount} is not in the chart of accounts`);
  }
  const { lines: based, differences } = baseAmounts(lines, {
    rate: (c) => rates.get(c)!,
    carrying: (l) => ratios.get(key(l.accountCode, l.resellerId, l.currency)) ?? null,
    baseMinorUnits: minorUnits(reporting),
    fxDifferenceAccount: input.fxDifferenceAccount,
  });
  const all = [...based, ...differences];
  const diff = baseDifference(all);
  if (!diff.isZero()) {
    const d = all.reduce((s, l) => s.plus(l.baseDebit), new Dec(0));
    const c = all.reduce((s, l) => s.plus(l.baseCredit), new Dec(0));
    throw ledgerError(
      LedgerErrorCode.UnbalancedBase,
      `Base debits (${d.toFixed()}) and base credits (${c.toFixed()}) differ in ${reporting}`,
      { currency: reporting, debit: d.toFixed(), credit: c.toFixed() },
    );
  }
  return all;
}
