import Decimal from 'decimal.js';
import { DependencyList, ReactNode, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api';
import { cellValue, columnSlots, saveFile, tableRows, toCsv } from '../csv';
import { formatDate, formatMoney, isNegative, titleCase } from '../format';

/** Loads data for a page; `reload` runs it again. Stale answers (deps changed meanwhile) are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  // The caller names what `load` depends on (like useEffect's own list).
  // eslint-disable-next-line react-hooks/exhaustive-deps
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

export function Money({
  amount,
  currency,
  signed,
}: {
  amount: string | null | undefined;
  currency: string | null | undefined;
  signed?: boolean;
}) {
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
  id,
  label,
  value,
  onChange,
  allLabel = 'All',
  options,
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
export const statusOptions = (statuses: readonly string[]) => statuses.map((s) => ({ value: s, label: s.replace('_', ' ').toLowerCase() }));

/** A list page's body: loading, empty, or the rows (rendered by `children`) once a page has loaded. */
export function ListBody<P extends { items: unknown[] }>({
  loading,
  page,
  loadingText,
  empty,
  children,
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

/**
 * Every list's table (README.md, "Web portal"): a scroll container that keyboard users can focus
 * and scroll (a labelled region), an "Export CSV" button writing the rows as listed, and on screens
 * under 600 px each row stacked as a card of "label: value" lines (labels come from the column
 * headers; columns whose header has class `col-low` are left off phones, kept in the CSV).
 */
export function TableRegion({ label, csv, children, tools }: { label: string; csv?: string; children: ReactNode; tools?: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const table = ref.current?.querySelector('table');
    const head = table?.tHead?.rows[table.tHead.rows.length - 1];
    if (!table || !head) return;
    const heads = columnSlots(head);
    for (const section of [...Array.from(table.tBodies), ...(table.tFoot ? [table.tFoot] : [])]) {
      for (const tr of Array.from(section.rows)) {
        let i = 0;
        for (const cell of Array.from(tr.cells)) {
          const th = heads[i];
          if (th) {
            cell.setAttribute('data-label', cell.colSpan > 1 ? '' : cellValue(th));
            cell.classList.toggle('col-low', th.classList.contains('col-low'));
          }
          i += Math.max(1, cell.colSpan);
        }
      }
    }
  });
  const exportCsv = () => {
    const table = ref.current?.querySelector('table');
    if (!table || !csv) return;
    saveFile(toCsv(tableRows(table)), `${csv}-${new Date().toISOString().slice(0, 10)}.csv`);
  };
  return (
    <div className="table-block">
      {(csv || tools) && (
        <div className="table-tools">
          {tools}
          {csv && (
            <button type="button" className="small-button" onClick={exportCsv}>
              Export CSV<span className="sr-only"> of {label.toLowerCase()}</span>
            </button>
          )}
        </div>
      )}
      <div className="table-wrap table-region" ref={ref} tabIndex={0} role="region" aria-label={label}>
        {children}
      </div>
    </div>
  );
}

export type SortDir = 'asc' | 'desc';
export interface SortState {
  key: string;
  dir: SortDir;
}

/** A column header that sorts its table: a button, with aria-sort telling which way it is sorted. */
export function SortHeader({
  k,
  sort,
  onSort,
  children,
  className,
}: {
  k: string;
  sort: SortState | null;
  onSort: (s: SortState) => void;
  children: ReactNode;
  className?: string;
}) {
  const dir = sort?.key === k ? sort.dir : null;
  return (
    <th scope="col" className={className} aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort({ key: k, dir: dir === 'asc' ? 'desc' : 'asc' })}>
        {children}
        <span className="sort-mark" aria-hidden="true">
          {dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : '↕'}
        </span>
      </button>
    </th>
  );
}

type SortValue = string | null | undefined | { money: string | null | undefined };

/** Compares two sort values: amounts ({ money }) as decimals, text by locale, empty values last. */
export function compareValues(a: SortValue, b: SortValue): number {
  const ra = typeof a === 'object' && a !== null ? a.money : a;
  const rb = typeof b === 'object' && b !== null ? b.money : b;
  if (ra == null || ra === '') return rb == null || rb === '' ? 0 : 1;
  if (rb == null || rb === '') return -1;
  if (typeof a === 'object' && a !== null) return new Decimal(ra).comparedTo(new Decimal(rb));
  return ra.localeCompare(rb, undefined, { numeric: true, sensitivity: 'base' });
}

/** The rows of a table sorted on the page by the chosen column (`by` maps a column key to its value). */
export function useSorted<T>(rows: T[], by: Record<string, (row: T) => SortValue>, initial: SortState | null = null) {
  const [sort, setSort] = useState<SortState | null>(initial);
  const sorted = useMemo(() => {
    const get = sort ? by[sort.key] : undefined;
    if (!sort || !get) return rows;
    const sign = sort.dir === 'asc' ? 1 : -1;
    return [...rows].sort((x, y) => sign * compareValues(get(x), get(y)));
    // `by` is written inline by callers (a new object each render) and maps the same keys the same way.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rows, sort]);
  return { rows: sorted, sort, setSort };
}

/** The field errors of a problem+json answer, by field name (for FieldError beside each input). */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (error instanceof ApiError) for (const e of error.problem.errors ?? []) out[e.field] ??= e.message;
  return out;
}

/** Why an input was refused, under it (its id is the input's aria-describedby). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error">
      {message}
    </span>
  );
}

/** An input's props when the API refused its field (the problem's `errors` name it): invalid, described by why. */
export function invalidProps(error: unknown, field: string, id: string): { 'aria-invalid'?: true; 'aria-describedby'?: string } {
  return fieldErrors(error)[field] ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
}

/** Why the API refused one field, under its input (pairs with invalidProps). */
export function FieldProblem({ error, field, id }: { error: unknown; field: string; id: string }) {
  return <FieldError id={`${id}-error`} message={fieldErrors(error)[field]} />;
}
