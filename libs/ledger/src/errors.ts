import { defineErrors, ProblemSpec } from '@disty/core';

export enum LedgerErrorCode {
  UnbalancedEntry = 'unbalanced-entry',
  PeriodClosed = 'period-closed',
  UnknownAccount = 'unknown-account',
  InvalidEntry = 'invalid-entry',
  AlreadyReversed = 'already-reversed',
}

export const LEDGER_ERRORS: Record<LedgerErrorCode, ProblemSpec> = {
  [LedgerErrorCode.UnbalancedEntry]: { status: 422, title: 'Journal entry does not balance' },
  [LedgerErrorCode.PeriodClosed]: { status: 422, title: 'Accounting period is closed' },
  [LedgerErrorCode.UnknownAccount]: { status: 422, title: 'Unknown account' },
  [LedgerErrorCode.InvalidEntry]: { status: 422, title: 'Invalid journal entry' },
  [LedgerErrorCode.AlreadyReversed]: { status: 409, title: 'Journal entry already reversed' },
};

export const ledgerError = defineErrors(LEDGER_ERRORS);

/** Maps the ledger's own SQLSTATEs (raised by its triggers) to domain errors. */
export function mapLedgerDbError(e: unknown): unknown {
  const err = e as { code?: string; driverError?: { code?: string }; message?: string };
  const code = err.code ?? err.driverError?.code;
  if (code === 'LD001') return ledgerError(LedgerErrorCode.UnbalancedEntry, err.message ?? 'unbalanced entry');
  if (code === 'LD002') return ledgerError(LedgerErrorCode.PeriodClosed, err.message ?? 'period closed');
  return e;
}
