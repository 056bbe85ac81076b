import { Link } from '../../router';
import { Money, Status } from '../ui';
import { autoRenewText, DeskCard, scheduledChangeText, windowClock } from './desk';

/**
 * One renewal on the desk: a link to its page, a checkbox for bulk assign, and what decides the
 * conversation: value, days left, the commitment window's clock, auto-renew and the change already
 * scheduled at renewal (docs/renewal-desk.md).
 */
export function RenewalCardItem({
  card,
  selected,
  onToggle,
  assignee,
  onQuote,
  canQuote,
}: {
  card: DeskCard;
  selected: boolean;
  onToggle: (checked: boolean) => void;
  assignee: string;
  onQuote: () => void;
  canQuote: boolean;
}) {
  const clock = windowClock(card.commitmentWindow);
  const renew = autoRenewText(card);
  const change = scheduledChangeText(card.scheduledChange, card.termEnd);
  const who = card.endCustomer.name;
  return (
    <li className={`alert-card status-border-${card.status.toLowerCase()}`} data-card-id={card.id}>
      <div className="alert-select">
        <input type="checkbox" aria-label={`Select ${who} (${card.sku})`} checked={selected} onChange={(e) => onToggle(e.target.checked)} />
      </div>
      <Link to={`/renewals/${card.id}`} className="alert-link">
        <span className="alert-customer">{who}</span>
        <span className="alert-sku">
          {card.productName ?? card.sku} · {card.source === 'WARRANTY' ? 'warranty' : 'subscription'}
          {card.kind === 'WINDOW' ? ' · window reminder' : ''}
        </span>
        <span className="alert-meta">
          <Money amount={card.renewalValue} currency={card.currency} />
          <span>{card.daysLeft >= 0 ? `${card.daysLeft} days left` : `ended ${-card.daysLeft} days ago`}</span>
        </span>
        <Status value={card.status} />
      </Link>
      <ul className="alert-facts" aria-label={`About the renewal of ${who}`}>
        {clock && (
          <li className={card.commitmentWindow?.open ? 'window-open' : 'window-closed'} data-testid="window-clock">
            {clock}
          </li>
        )}
        {renew && <li data-testid="auto-renew">{renew}</li>}
        {change && <li data-testid="scheduled-change">Scheduled {change}</li>}
        <li data-testid="assignee">Assignee: {assignee}</li>
      </ul>
      {canQuote && (
        <div className="alert-actions">
          <button type="button" className="small-button" onClick={onQuote} aria-label={`Quote the renewal of ${who} (${card.sku})`}>
            Quote
          </button>
        </div>
      )}
    </li>
  );
}
