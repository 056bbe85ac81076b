import { FormEvent, useState } from 'react';
import { client, ok } from '../api';
import type { Order } from '../contract';
import { todayIso } from '../format';
import { ErrorBanner } from './ui';

/** Serial numbers typed one per line (or separated by commas); blanks dropped. */
export const parseSerials = (text: string): string[] =>
  text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Why a quantity to ship is not valid, or null. */
export function shipQuantityProblem(value: string, max: number): string | null {
  const v = value.trim();
  if (!v) return 'Enter how many units ship now.';
  if (!/^\d+$/.test(v)) return 'Enter a whole number of units.';
  const n = Number.parseInt(v, 10);
  if (n < 1) return 'Ship at least 1 unit.';
  if (n > max) return `This line holds ${max} unit${max === 1 ? '' : 's'}; at most ${max} can ship.`;
  return null;
}

/**
 * Ships a pending hardware line (POST /orders/{id}/lines/{lineId}/ship): all or some of its units,
 * their serial numbers (at most one per unit) and the ship date (not in the future). Fewer units
 * than the line holds split it: the rest stays to ship (docs/portal.md, "Shipping").
 */
export function ShipLineForm({
  orderId,
  lineId,
  quantity,
  label,
  onShipped,
}: {
  orderId: string;
  lineId: string;
  quantity: number;
  label: string;
  onShipped: (order: Order, shipped: number) => void;
}) {
  const [qty, setQty] = useState(String(quantity));
  const [serials, setSerials] = useState('');
  const [shippedOn, setShippedOn] = useState(todayIso());
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const qtyProblem = shipQuantityProblem(qty, quantity);
  const list = parseSerials(serials);
  const n = qtyProblem ? quantity : Number.parseInt(qty, 10);
  const serialProblem =
    list.length > n
      ? `${list.length} serial numbers for ${n} unit${n === 1 ? '' : 's'}: at most one per unit.`
      : new Set(list).size !== list.length
        ? 'A serial number is listed twice.'
        : null;
  const dateProblem = !shippedOn ? 'Enter the ship date.' : shippedOn > todayIso() ? 'The ship date cannot be in the future.' : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (qtyProblem || serialProblem || dateProblem) return;
    setBusy(true);
    setError(null);
    try {
      const order = await ok(
        client.POST('/api/v1/orders/{id}/lines/{lineId}/ship', {
          params: { path: { id: orderId, lineId } },
          body: { shippedOn, quantity: n, ...(list.length ? { serialNumbers: list } : {}) },
        }),
      );
      onShipped(order, n);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const id = `ship-${lineId}`;
  return (
    <form className="ship-form form-grid" onSubmit={submit} aria-label={`Ship ${label}`} noValidate data-ship-line={lineId}>
      <div className="field">
        <label htmlFor={`${id}-qty`}>Units shipping now (of {quantity})</label>
        <input
          id={`${id}-qty`}
          inputMode="numeric"
          value={qty}
          onChange={(e) => setQty(e.target.value)}
          aria-invalid={touched && !!qtyProblem}
          aria-describedby={`${id}-qty-error`}
        />
        {touched && qtyProblem && (
          <p id={`${id}-qty-error`} className="negative small" role="alert">
            {qtyProblem}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-date`}>Ship date</label>
        <input
          id={`${id}-date`}
          type="date"
          max={todayIso()}
          value={shippedOn}
          onChange={(e) => setShippedOn(e.target.value)}
          aria-invalid={touched && !!dateProblem}
          aria-describedby={`${id}-date-error`}
        />
        {touched && dateProblem && (
          <p id={`${id}-date-error`} className="negative small" role="alert">
            {dateProblem}
          </p>
        )}
      </div>
      <div className="field form-wide">
        <label htmlFor={`${id}-serials`}>
          Serial numbers <span className="muted">(one per line, optional)</span>
        </label>
        <textarea
          id={`${id}-serials`}
          rows={Math.min(6, Math.max(2, n))}
          value={serials}
          onChange={(e) => setSerials(e.target.value)}
          aria-invalid={touched && !!serialProblem}
          aria-describedby={`${id}-serials-error`}
        />
        {touched && serialProblem && (
          <p id={`${id}-serials-error`} className="negative small" role="alert">
            {serialProblem}
          </p>
        )}
      </div>
      <ErrorBanner error={error} title="The line was not shipped" />
      <div className="form-actions form-wide">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Shipping…' : `Ship ${qtyProblem ? '' : `${n} `}unit${n === 1 ? '' : 's'}`}
        </button>
      </div>
    </form>
  );
}
