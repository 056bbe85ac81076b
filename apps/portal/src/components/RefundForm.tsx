import { FormEvent, useState } from 'react';
import { client, ok } from '../api';
import type { Currency } from '../contract';
import { dec, formatMoney, todayIso } from '../format';
import { Action, amountProblem, FieldError, useKey } from './FinanceActions';
import { ErrorBanner, Money, Notice, useAsync } from './ui';

/** Refunds the reseller's credit balance (unused credits, then unapplied cash) by bank transfer. */
export function RefundForm({ resellerId, onDone }: { resellerId: string; onDone: (message: string) => void }) {
  const balance = useAsync(() => ok(client.GET('/api/v1/refunds/credit-balance', { params: { query: { resellerId } } })), [resellerId]);
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const [paidOn, setPaidOn] = useState(todayIso());
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = useKey();
  const refundable = balance.data?.refundable ?? '0';
  const problem = amountProblem(amount, refundable);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!balance.data || problem || !reference.trim()) return;
    const body = {
      resellerId,
      amount: amount.trim(),
      currency: balance.data.currency as Currency,
      reference: reference.trim(),
      paidOn,
      method: 'BANK_TRANSFER' as const,
    };
    setBusy(true);
    setError(null);
    try {
      const r = await ok(client.POST('/api/v1/refunds', { body, params: { header: { 'Idempotency-Key': key.for(body) } } }));
      key.reset();
      setAmount('');
      setReference('');
      setTouched(false);
      void balance.reload();
      onDone(`Refund of ${formatMoney(r.amount, r.currency)} recorded.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Action title="Refund the credit balance" id="refund">
      <ErrorBanner error={balance.error} title="The credit balance could not be loaded" />
      {balance.data && dec(balance.data.refundable).lte(0) ? (
        <Notice>Nothing to refund: the account has no unused credit or unapplied cash.</Notice>
      ) : (
        <form className="form-grid" onSubmit={submit} aria-label="Refund the credit balance" noValidate>
          <p className="form-wide">
            Refundable now: <Money amount={refundable} currency={balance.data?.currency} />
          </p>
          <div className="field">
            <label htmlFor="refund-amount">Amount to refund</label>
            <input
              id="refund-amount"
              inputMode="decimal"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              aria-invalid={touched && !!problem}
              aria-describedby="refund-amount-error"
            />
            <FieldError id="refund-amount-error" message={touched ? problem : null} />
          </div>
          <div className="field">
            <label htmlFor="refund-reference">Bank reference</label>
            <input id="refund-reference" maxLength={200} value={reference} onChange={(e) => setReference(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="refund-date">Paid on</label>
            <input id="refund-date" type="date" max={todayIso()} value={paidOn} onChange={(e) => setPaidOn(e.target.value)} />
          </div>
          <ErrorBanner error={error} title="The refund was not recorded" />
          <div className="form-actions form-wide">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Recording…' : 'Record refund'}
            </button>
          </div>
        </form>
      )}
    </Action>
  );
}
