import { FormEvent, useEffect, useRef, useState } from 'react';
import { client, download, ok } from '../../api';
import type { Me, RenewalQuote, ScheduledChange } from '../../contract';
import { DateText, ErrorBanner, Money, Notice, Status } from '../ui';
import { DeskCard, scheduledChangeText } from './desk';

/** Who may accept a renewal quote (POST /renewal-quotes/:id/accept): the reseller's admin or buyer. */
const ACCEPTORS: Array<Me['role']> = ['reseller_admin', 'buyer'];

/**
 * A renewal quote from a desk card (docs/renewal-desk.md): the quantity and validity the API takes
 * (POST /renewal-alerts/:id/quote), the quote it numbered, its PDF, and acceptance, which schedules
 * the quoted seats at renewal and shows that scheduled change.
 */
export function QuotePanel({
  card,
  me,
  onClose,
  onAccepted,
}: {
  card: DeskCard;
  me: Me | null;
  onClose: () => void;
  onAccepted: () => Promise<void> | void;
}) {
  const [quantity, setQuantity] = useState(String(card.quantity));
  const [validUntil, setValidUntil] = useState('');
  const [quote, setQuote] = useState<RenewalQuote | null>(null);
  const [change, setChange] = useState<ScheduledChange | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [errorTitle, setErrorTitle] = useState('The quote was not created');
  const heading = useRef<HTMLHeadingElement>(null);
  const canAccept = !!me && ACCEPTORS.includes(me.role);

  useEffect(() => heading.current?.focus(), [card.id]);

  const run = async (title: string, fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setErrorTitle(title);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    void run('The quote was not created', async () => {
      const body: { quantity?: number; validUntil?: string } = {};
      if (quantity.trim()) body.quantity = Number.parseInt(quantity, 10);
      if (validUntil) body.validUntil = validUntil;
      setQuote(await ok(client.POST('/api/v1/renewal-alerts/{id}/quote', { params: { path: { id: card.id } }, body })));
      setChange(null);
    });
  };

  const pdf = () =>
    void run('The PDF could not be downloaded', () =>
      download(
        client.GET('/api/v1/renewal-quotes/{id}/pdf', {
          params: { path: { id: quote!.id } },
          headers: { Accept: 'application/pdf' },
          parseAs: 'blob',
        }),
        `${quote!.number}.pdf`,
      ),
    );

  const accept = () =>
    void run('The quote was not accepted', async () => {
      const accepted = await ok(client.POST('/api/v1/renewal-quotes/{id}/accept', { params: { path: { id: quote!.id } } }));
      setQuote(accepted);
      if (accepted.scheduledChangeId && accepted.subscriptionId) {
        const list = await ok(
          client.GET('/api/v1/subscriptions/{id}/scheduled-changes', {
            params: { path: { id: accepted.subscriptionId } },
          }),
        );
        setChange(list.items.find((c) => c.id === accepted.scheduledChangeId) ?? null);
      }
      await onAccepted();
    });

  return (
    <section className="card quote-panel" aria-labelledby="quote-heading">
      <div className="page-header">
        <h2 id="quote-heading" tabIndex={-1} ref={heading}>
          Renewal quote: {card.endCustomer.name}
        </h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="muted small">
        {card.productName ?? card.sku} × {card.quantity}, term ends <DateText value={card.termEnd} />.
      </p>
      {!quote && (
        <form className="form-grid" onSubmit={create}>
          <div className="field">
            <label htmlFor="quote-quantity">Quantity for the next term</label>
            <input
              id="quote-quantity"
              type="number"
              min={1}
              max={100000}
              step={1}
              required
              value={quantity}
              onChange={(e) => setQuantity(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="quote-valid-until">Valid until (default: 30 days)</label>
            <input id="quote-valid-until" type="date" value={validUntil} onChange={(e) => setValidUntil(e.target.value)} />
          </div>
          <div className="form-actions form-wide">
            <button type="submit" className="primary" disabled={busy}>
              Create quote
            </button>
          </div>
        </form>
      )}
      <ErrorBanner error={error} title={errorTitle} />
      {quote && (
        <>
          <dl className="facts" data-testid="quote">
            <div>
              <dt>Quote</dt>
              <dd data-testid="quote-number">{quote.number}</dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd data-testid="quote-status">
                <Status value={quote.status} />
              </dd>
            </div>
            <div>
              <dt>Valid until</dt>
              <dd>
                <DateText value={quote.validUntil} />
              </dd>
            </div>
            <div>
              <dt>Total (before tax)</dt>
              <dd data-testid="quote-total">
                <Money amount={quote.total} currency={quote.currency} />
              </dd>
            </div>
          </dl>
          <table className="compact">
            <caption className="sr-only">Quote lines</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col" className="num">
                  Unit price (term)
                </th>
                <th scope="col" className="num">
                  Net
                </th>
              </tr>
            </thead>
            <tbody>
              {quote.lines.map((l, i) => (
                <tr key={i}>
                  <td>
                    {l.description} <span className="muted small">{l.sku}</span>
                  </td>
                  <td className="num">{l.quantity}</td>
                  <td className="num">
                    <Money amount={l.unitPrice} currency={quote.currency} />
                  </td>
                  <td className="num">
                    <Money amount={l.net} currency={quote.currency} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="form-actions">
            <button type="button" onClick={pdf} disabled={busy}>
              Download PDF
            </button>
            {quote.status === 'OPEN' && canAccept && (
              <button type="button" className="primary" onClick={accept} disabled={busy}>
                Accept quote
              </button>
            )}
          </div>
          {quote.status === 'OPEN' && !canAccept && <p className="muted small">The reseller’s admin or buyer accepts the quote.</p>}
          {quote.status === 'ACCEPTED' && (
            <Notice kind="success">
              Quote {quote.number} accepted.{' '}
              {change ? (
                <span data-testid="quote-scheduled-change">
                  Scheduled {scheduledChangeText(change, quote.termEnd)} (from <DateText value={change.effectiveDate} />,{' '}
                  {change.status.toLowerCase()}).
                </span>
              ) : quote.source === 'WARRANTY' ? (
                'Order the extended warranty to renew it.'
              ) : null}
            </Notice>
          )}
        </>
      )}
    </section>
  );
}
