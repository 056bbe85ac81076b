import { defineErrors, ProblemSpec, sqlState } from '#disty/core';

export enum LedgerErrorCode {
  UnbalancedEntry = 'unbalanced-entry',
  PeriodClosed = 'period-closed',
  UnknownAccount = 'unknown-account',
  InvalidEntry = 'invalid-entry',
  AlreadyReversed = 'already-reversed',
  ControlAccount = 'control-account',
  SystemEntry = 'system-entry',
  FutureDated = 'future-dated',
  PeriodNotEnded = 'period-not-ended',
  PeriodNotClean = 'period-not-clean',
  UnbalancedBase = 'unbalanced-base',
  FxRateMissing = 'fx-rate-missing',
  FxRateInUse = 'fx-rate-in-use',
}

export const LEDGER_ERRORS: Record<LedgerErrorCode, ProblemSpec> = {
  [LedgerErrorCode.UnbalancedEntry]: { status: 422, title: 'Journal entry does not balance' },
  [LedgerErrorCode.PeriodClosed]: { status: 422, title: 'Accounting period is closed' },
  [LedgerErrorCode.UnknownAccount]: { status: 422, title: 'Unknown account' },
  [LedgerErrorCode.InvalidEntry]: { status: 422, title: 'Invalid journal entry' },
  [LedgerErrorCode.AlreadyReversed]: { status: 409, title: 'Journal entry already reversed' },
  [LedgerErrorCode.ControlAccount]: {
    status: 422,
    title: 'Control accounts move only through their documents',
  },
  [LedgerErrorCode.SystemEntry]: {
    status: 422,
    title: 'A system entry is corrected through its document, not reversed',
  },
  [LedgerErrorCode.FutureDated]: { status: 422, title: 'Date is in the future' },
  [LedgerErrorCode.PeriodNotEnded]: { status: 422, title: 'A month can be closed only once it has ended' },
  [LedgerErrorCode.PeriodNotClean]: { status: 422, title: 'The month still holds unexplained items' },
  [LedgerErrorCode.UnbalancedBase]: {
    status: 422,
    title: 'Journal entry does not balance in the reporting currency',
  },
  [LedgerErrorCode.FxRateMissing]: { status: 422, title: 'No exchange rate for the currency on that date' },
  [LedgerErrorCode.FxRateInUse]: { status: 409, title: 'Exchange rate already used by posted lines' },
};

export const ledgerError = defineErrors(LEDGER_ERRORS);

/** Maps the ledger's own SQLSTATEs (raised by its triggers) to domain errors. */
export function mapLedgerDbError(e: unknown): unknown {
  const err = e as { message?: string };
  const code = sqlState(e);
  if (code === 'LD001') return ledgerError(LedgerErrorCode.UnbalancedEntry, err.message ?? 'unbalanced entry');
  if (code === 'LD002') return ledgerError(LedgerErrorCode.PeriodClosed, err.message ?? 'period closed');
  if (code === 'LDCTL') return ledgerError(LedgerErrorCode.ControlAccount, err.message ?? 'control account');
  if (code === 'LDFUT') return ledgerError(LedgerErrorCode.FutureDated, err.message ?? 'future-dated entry');
  if (code === 'LD004') return ledgerError(LedgerErrorCode.UnbalancedBase, err.message ?? 'unbalanced in base');
  if (code === 'LDBON') return ledgerError(LedgerErrorCode.InvalidEntry, err.message ?? 'base-only line');
  if (code === 'FXUSE') return ledgerError(LedgerErrorCode.FxRateInUse, err.message ?? 'rate in use');
  return e;
}
