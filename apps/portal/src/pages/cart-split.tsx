import Decimal from 'decimal.js';
import { useState } from 'react';
import type { CreditLine, CreditLineView } from '../contract';
import { dec, formatMoney } from '../format';
import { Link } from '../router';
import { RequestCreditForm } from './CreditRequests';

/**
 * The split cart (docs/portal.md, "The split cart"): hardware and cloud are separate credit lines,
 * so one short or held line keeps back only its own lines; the buyer orders the others now, removes
 * the held ones, or asks for more credit.
 */

export type BlockReason = 'hold' | 'short';

/** The credit lines that cannot take this cart's lines now, and why. */
export function blockedLines(
  lines: CreditLineView[],
  needed: Record<CreditLine, Decimal>,
  refused: CreditLine[],
): Map<CreditLine, BlockReason> {
  const out = new Map<CreditLine, BlockReason>();
  for (const l of lines) {
    const need = needed[l.line];
    if (!need || need.lte(0)) continue;
    if (l.onHold || l.exposureHold) out.set(l.line, 'hold');
    else if (dec(l.available).lessThan(need) || refused.includes(l.line)) out.set(l.line, 'short');
  }
  for (const r of refused) if (!out.has(r) && needed[r]?.gt(0)) out.set(r, 'short');
  return out;
}

/** Why a typed quantity is not one, or null (docs/portal.md, "Inputs"). */
export function quantityProblem(value: string): string | null {
  const v = value.trim();
  if (!v) return 'Enter a quantity: a whole number, 1 or more.';
  if (!/^\d+$/.test(v)) return /^\d*[.,]\d+$/.test(v) ? 'Quantities are whole units: no decimals.' : 'Enter digits only, such as 12.';
  const n = Number.parseInt(v, 10);
  if (n < 1) return 'At least 1. To drop the line, use Remove.';
  if (n > 100_000) return 'At most 100,000 on one line.';
  return null;
}

const NAME: Record<CreditLine, string> = { HARDWARE: 'hardware', CLOUD: 'cloud' };

export function SplitCartNotice({
  blocked,
  lines,
  needed,
  heldCount,
  placeableCount,
  currency,
  onRemove,
  onRequested,
}: {
  blocked: Map<CreditLine, BlockReason>;
  lines: CreditLineView[];
  needed: Record<CreditLine, Decimal>;
  heldCount: number;
  placeableCount: number;
  currency: string;
  onRemove: () => void;
  onRequested: (message: string) => void;
}) {
  const [asking, setAsking] = useState<CreditLine | null>(null);
  const dp = currency === 'JPY' ? 0 : 2;
  return (
    <div className="banner banner-warning split-cart" role="region" aria-label="Lines held back" data-testid="split-cart">
      {[...blocked.entries()].map(([line, why]) => {
        const l = lines.find((x) => x.line === line);
        const short = l ? Decimal.max(needed[line].minus(dec(l.available)), 0) : new Decimal(0);
        return (
          <div key={line} data-blocked-line={line}>
            <strong>
              {why === 'hold'
                ? `The ${NAME[line]} credit line is on hold.`
                : `The ${NAME[line]} credit line is short by ${formatMoney(short.toFixed(dp), currency)}.`}
            </strong>{' '}
            Its lines are marked in the cart and are not ordered now.{' '}
            {why === 'hold' ? 'Your distributor releases the hold (usually once overdue invoices are paid).' : ''}
            <div className="form-actions">
              <button type="button" aria-expanded={asking === line} onClick={() => setAsking(asking === line ? null : line)}>
                Ask for more {NAME[line]} credit
              </button>
            </div>
            {asking === line && (
              <RequestCreditForm
                line={line}
                currency={currency}
                suggested={short.gt(0) ? short.toFixed(dp) : undefined}
                onSent={(r) => {
                  setAsking(null);
                  onRequested(
                    `Request for ${formatMoney(r.amount, r.currency)} more ${NAME[r.line]} credit sent. Follow it under Credit requests.`,
                  );
                }}
              />
            )}
          </div>
        );
      })}
      <p>
        {placeableCount > 0
          ? `Place the order below for the other ${placeableCount} line${placeableCount === 1 ? '' : 's'}; the ${heldCount} held line${heldCount === 1 ? '' : 's'} stay${heldCount === 1 ? 's' : ''} in the cart.`
          : 'Every line in the cart is held back.'}{' '}
        <button type="button" className="link-button" onClick={onRemove}>
          Remove the held lines
        </button>{' '}
        · <Link to="/credit-requests">Credit requests</Link>
      </p>
    </div>
  );
}
