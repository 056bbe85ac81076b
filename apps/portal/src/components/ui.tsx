import { DependencyList, ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api';
import { formatDate, formatMoney, isNegative, titleCase } from '../format';

/** Loads data for a page; `reload` runs it again. Stale answers (deps changed meanwhile) are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const d = await run();
      if (mine === seq.current) {
        setData(d);
        setError(null);
      }
    } catch (e) {
      if (mine === seq.current) setError(e);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload, setData };
}

export function Money({ amount, currency, signed }: { amount: string | null | undefined; currency: string | null | undefined; signed?: boolean }) {
  const negative = isNegative(amount);
  return (
    <span className={`money${negative ? ' negative' : ''}`} data-amount={amount ?? ''} data-currency={currency ?? ''}>
      {signed && amount && !negative && !/^0(\.0+)?$/.test(amount) ? '+' : ''}
      {formatMoney(amount, currency)}
    </span>
  );
}

export function DateText({ value }: { value: string | null | undefined }) {
  return value ? <time dateTime={value}>{formatDate(value)}</time> : <span>—</span>;
}

export function Status({ value }: { value: string }) {
  return <span className={`status status-${value.toLowerCase()}`}>{titleCase(value)}</span>;
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Disty portal`;
    // Move focus to the new page's heading so keyboard and screen-reader users land on it.
    h1.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <div className="page-header">
      <h1 tabIndex={-1} ref={h1}>
        {title}
      </h1>
      {children && <div className="page-actions">{children}</div>}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

/** A problem+json error in words: title, detail and any field errors. */
export function ErrorBanner({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : null;
  const heading = title ?? problem?.title ?? 'Something went wrong';
  const detail = problem ? problem.detail : error instanceof Error ? error.message : String(error);
  return (
    <div className="banner banner-error" role="alert">
      <strong>{heading}</strong>
      {detail && detail !== heading && <p>{detail}</p>}
      {problem?.errors?.length ? (
        <ul>
          {problem.errors.map((e, i) => (
            <li key={i}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Notice({ children, kind = 'info' }: { children: ReactNode; kind?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`banner banner-${kind}`} role="status" aria-live="polite">
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Pager({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pages}>
        Next
      </button>
    </nav>
  );
}

/** A labelled stat: "Available  $12,000.00". */
export function Stat({ label, children, tone }: { label: string; children: ReactNode; tone?: 'danger' | 'warning' | 'ok' }) {
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A labelled filter select whose first option ("All …", value "") clears the filter. */
export function FilterSelect({
  id, label, value, onChange, allLabel = 'All', options,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  allLabel?: string;
  options: Array<{ value: string; label: string }>;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{allLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Status enum values as filter options ("PARTIALLY_PAID" → "partially paid"). */
export const statusOptions = (statuses: readonly string[]) =>
  statuses.map((s) => ({ value: s, label: s.replace('_', ' ').toLowerCase() }));

/** A list page's body: loading, empty, or the rows (rendered by `children`) once a page has loaded. */
export function ListBody<P extends { items: unknown[] }>({
  loading, page, loadingText, empty, children,
}: {
  loading: boolean;
  page: P | null | undefined;
  loadingText: string;
  empty: ReactNode;
  children: (page: P) => ReactNode;
}) {
  if (loading && !page) return <Loading what={loadingText} />;
  if (!page) return null;
  if (page.items.length === 0) return <Empty>{empty}</Empty>;
  return <>{children(page)}</>;
}
