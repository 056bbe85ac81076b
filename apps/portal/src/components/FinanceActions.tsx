import { FormEvent, ReactNode, useRef, useState } from 'react';
import { client, idempotencyKey, ok } from '../api';
import type { Currency, Invoice } from '../contract';
import { dec, formatMoney, todayIso } from '../format';
import { ErrorBanner } from './ui';

/**
 * Distributor finance's actions on a reseller's account (docs/portal.md, "Distributor finance"):
 * record a bank payment and apply it, issue a credit note, write off, refund. Each form sends one
 * Idempotency-Key per distinct submission, so a double click records once.
 */

const AMOUNT = /^\d{1,13}(\.\d{1,2})?$/;

/** One Idempotency-Key per distinct request body. */
export function useKey() {
  const ref = useRef<{ body: string; key: string } | null>(null);
  return {
    for(body: unknown): string {
      const s = JSON.stringify(body);
      if (!ref.current || ref.current.body !== s) ref.current = { body: s, key: idempotencyKey() };
      return ref.current.key;
    },
    reset: () => (ref.current = null),
  };
}

/** Why an amount is not valid, or null. */
export function amountProblem(value: string, max?: string): string | null {
  const v = value.trim();
  if (!v) return 'Enter an amount.';
  if (!AMOUNT.test(v)) return 'Enter an amount such as 1250.00 (digits, at most 2 decimals).';
  if (dec(v).lte(0)) return 'The amount must be more than zero.';
  if (max !== undefined && dec(v).gt(dec(max))) return `At most ${max}.`;
  return null;
}

export function Action({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <details className="card action" data-action={id}>
      <summary>{title}</summary>
      {children}
    </details>
  );
}

export function FieldError({ id, message }: { id: string; message: string | null }) {
  return message ? (
    <p id={id} className="field-error negative small" role="alert">
      {message}
    </p>
  ) : null;
}

/** Records a bank transfer from the reseller; with `invoice`, applies it to that invoice first. */
export function RecordPaymentForm({
  resellerId,
  currency,
  invoice,
  onDone,
}: {
  resellerId: string;
  currency: Currency;
  invoice?: Invoice;
  onDone: (message: string) => void;
}) {
  const [amount, setAmount] = useState(invoice ? invoice.amountDue : '');
  const [reference, setReference] = useState('');
  const [receivedOn, setReceivedOn] = useState(todayIso());
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = useKey();
  const problem = amountProblem(amount);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problem || !reference.trim()) return;
    const a = amount.trim();
    // To this invoice up to what it has due; the rest stays unapplied cash on the account.
    const toInvoice = invoice ? (dec(a).gt(dec(invoice.amountDue)) ? invoice.amountDue : a) : null;
    const body = {
      resellerId,
      amount: a,
      currency,
      method: 'BANK_TRANSFER' as const,
      reference: reference.trim(),
      receivedOn,
      ...(invoice && toInvoice && dec(toInvoice).gt(0) ? { allocations: [{ invoiceId: invoice.id, amount: toInvoice }] } : {}),
    };
    setBusy(true);
    setError(null);
    try {
      const p = await ok(client.POST('/api/v1/payments', { body, params: { header: { 'Idempotency-Key': key.for(body) } } }));
      key.reset();
      setReference('');
      setTouched(false);
      onDone(
        `Payment of ${formatMoney(p.amount, p.currency)} recorded${dec(p.unapplied).gt(0) ? `; ${formatMoney(p.unapplied, p.currency)} is unapplied cash` : ''}.`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Action title="Record a bank payment" id="record-payment">
      <form className="form-grid" onSubmit={submit} aria-label="Record a bank payment" noValidate>
        <div className="field">
          <label htmlFor="pay-amount">Amount received ({currency})</label>
          <input
            id="pay-amount"
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            aria-invalid={touched && !!problem}
            aria-describedby="pay-amount-error"
          />
          <FieldError id="pay-amount-error" message={touched ? problem : null} />
        </div>
        <div className="field">
          <label htmlFor="pay-reference">Bank reference</label>
          <input
            id="pay-reference"
            maxLength={200}
            value={reference}
            onChange={(e) => setReference(e.target.value)}
            aria-invalid={touched && !reference.trim()}
            aria-describedby="pay-reference-error"
          />
          <FieldError
            id="pay-reference-error"
            message={touched && !reference.trim() ? 'Enter the reference on the bank statement.' : null}
          />
        </div>
        <div className="field">
          <label htmlFor="pay-date">Received on</label>
          <input id="pay-date" type="date" max={todayIso()} required value={receivedOn} onChange={(e) => setReceivedOn(e.target.value)} />
        </div>
        <p className="muted small form-wide">
          {invoice
            ? `Applied to ${invoice.number} up to its ${formatMoney(invoice.amountDue, currency)} due; anything more stays on the account as unapplied cash.`
            : 'Applied to the oldest open invoices first; anything more stays on the account as unapplied cash.'}
        </p>
        <ErrorBanner error={error} title="The payment was not recorded" />
        <div className="form-actions form-wide">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Recording…' : 'Record payment'}
          </button>
        </div>
      </form>
    </Action>
  );
}

/** A credit note against the invoice: a net amount per line (tax is added at the line's rate), with a reason. */
export function CreditNoteForm({ invoice, onDone }: { invoice: Invoice; onDone: (message: string) => void }) {
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = useKey();
  const entered = invoice.lines.filter((l) => (amounts[l.id] ?? '').trim() !== '');
  const problems = Object.fromEntries(
    entered.map((l) => [l.id, amountProblem(amounts[l.id], dec(l.net).minus(dec(l.creditedNet)).toFixed(2))]),
  );
  const invalid = entered.length === 0 || entered.some((l) => problems[l.id]) || !reason.trim();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (invalid) return;
    const body = {
      lines: entered.map((l) => ({ invoiceLineId: l.id, amount: amounts[l.id].trim() })),
      reason: reason.trim(),
    };
    setBusy(true);
    setError(null);
    try {
      const note = await ok(
        client.POST('/api/v1/invoices/{id}/credit-notes', {
          params: { path: { id: invoice.id }, header: { 'Idempotency-Key': key.for(body) } },
          body,
        }),
      );
      key.reset();
      setAmounts({});
      setReason('');
      setTouched(false);
      onDone(`Credit note ${note.number} issued for ${formatMoney(note.totals.all.gross, invoice.currency)}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Action title="Issue a credit note" id="credit-note">
      <form onSubmit={submit} aria-label="Issue a credit note" noValidate>
        <div className="form-grid">
          {invoice.lines.map((l) => (
            <div className="field" key={l.id}>
              <label htmlFor={`cn-${l.id}`}>
                Net to credit on {l.description}{' '}
                <span className="muted">(of {formatMoney(dec(l.net).minus(dec(l.creditedNet)).toFixed(2), invoice.currency)})</span>
              </label>
              <input
                id={`cn-${l.id}`}
                inputMode="decimal"
                value={amounts[l.id] ?? ''}
                onChange={(e) => setAmounts({ ...amounts, [l.id]: e.target.value })}
                aria-invalid={touched && !!problems[l.id]}
                aria-describedby={`cn-${l.id}-error`}
              />
              <FieldError id={`cn-${l.id}-error`} message={touched ? (problems[l.id] ?? null) : null} />
            </div>
          ))}
          <div className="field form-wide">
            <label htmlFor="cn-reason">Reason</label>
            <input
              id="cn-reason"
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={touched && !reason.trim()}
              aria-describedby="cn-reason-error"
            />
            <FieldError id="cn-reason-error" message={touched && !reason.trim() ? 'Give the reason printed on the credit note.' : null} />
          </div>
        </div>
        {touched && entered.length === 0 && (
          <p className="negative small" role="alert">
            Enter an amount on at least one line.
          </p>
        )}
        <ErrorBanner error={error} title="The credit note was not issued" />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Issuing…' : 'Issue credit note'}
          </button>
        </div>
      </form>
    </Action>
  );
}

/** Writes off bad debt on the invoice (gross, at most what is open), with a reason. */
export function WriteOffForm({ invoice, onDone }: { invoice: Invoice; onDone: (message: string) => void }) {
  const [amount, setAmount] = useState(invoice.amountDue);
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = useKey();
  const problem = amountProblem(amount, invoice.amountDue);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problem || !reason.trim()) return;
    if (!window.confirm(`Write off ${formatMoney(amount.trim(), invoice.currency)} on ${invoice.number}? It is posted as bad debt.`))
      return;
    const body = { amount: amount.trim(), reason: reason.trim() };
    setBusy(true);
    setError(null);
    try {
      await ok(
        client.POST('/api/v1/invoices/{id}/write-off', {
          params: { path: { id: invoice.id }, header: { 'Idempotency-Key': key.for(body) } },
          body,
        }),
      );
      key.reset();
      setTouched(false);
      onDone(`${formatMoney(body.amount, invoice.currency)} written off on ${invoice.number}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Action title="Write off" id="write-off">
      <form className="form-grid" onSubmit={submit} aria-label="Write off bad debt" noValidate>
        <div className="field">
          <label htmlFor="wo-amount">Gross amount to write off ({invoice.currency})</label>
          <input
            id="wo-amount"
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            aria-invalid={touched && !!problem}
            aria-describedby="wo-amount-error"
          />
          <FieldError id="wo-amount-error" message={touched ? problem : null} />
        </div>
        <div className="field">
          <label htmlFor="wo-reason">Reason</label>
          <input
            id="wo-reason"
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={touched && !reason.trim()}
            aria-describedby="wo-reason-error"
          />
          <FieldError id="wo-reason-error" message={touched && !reason.trim() ? 'Give the reason for the write-off.' : null} />
        </div>
        <ErrorBanner error={error} title="Nothing was written off" />
        <div className="form-actions form-wide">
          <button type="submit" className="danger" disabled={busy}>
            {busy ? 'Writing off…' : 'Write off'}
          </button>
        </div>
      </form>
    </Action>
  );
}
