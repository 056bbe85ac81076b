import { FormEvent, useState } from 'react';
import type { Reseller } from '../../contract';
import { FilterSelect } from '../ui';
import type { Assignee } from './BulkAssign';
import { thresholdLabel } from './desk';

/** The desk's server-side filters, as `GET /renewal-alerts?view=renewals` names them (api-conventions.md, "Renewal alerts"). */
export interface DeskFilterValues {
  q?: string;
  endCustomer?: string;
  assigneeId?: string;
  resellerId?: string;
  threshold?: number;
  daysLeftMax?: number;
  sort?: 'daysLeft' | 'value';
  order?: 'asc' | 'desc';
}

const SORTS: Array<{ value: string; label: string }> = [
  { value: 'value:desc', label: 'Value, highest first' },
  { value: 'value:asc', label: 'Value, lowest first' },
  { value: 'daysLeft:desc', label: 'Days left, most first' },
];

/** The filter form: text fields apply on "Filter" (or Enter), selects at once; "Clear" resets them all. */
export function DeskFilters({
  value,
  onChange,
  assignees,
  resellers,
  thresholds,
}: {
  value: DeskFilterValues;
  onChange: (v: DeskFilterValues) => void;
  assignees: Assignee[];
  /** Distributor staff only: the resellers to choose from (empty for reseller users). */
  resellers: Reseller[];
  thresholds: number[];
}) {
  const [q, setQ] = useState(value.q ?? '');
  const [endCustomer, setEndCustomer] = useState(value.endCustomer ?? '');
  const [daysLeftMax, setDaysLeftMax] = useState(value.daysLeftMax?.toString() ?? '');

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const days = Number.parseInt(daysLeftMax, 10);
    onChange({
      ...value,
      q: q.trim() || undefined,
      endCustomer: endCustomer.trim() || undefined,
      daysLeftMax: Number.isInteger(days) && days >= 0 ? days : undefined,
    });
  };
  const clear = () => {
    setQ('');
    setEndCustomer('');
    setDaysLeftMax('');
    onChange({});
  };
  const sort = value.sort ? `${value.sort}:${value.order ?? 'asc'}` : '';

  return (
    <form className="toolbar card desk-filters" role="search" aria-label="Filter renewals" onSubmit={apply}>
      <div className="field">
        <label htmlFor="desk-q">Search</label>
        <input
          id="desk-q"
          type="search"
          maxLength={200}
          placeholder="Product, SKU or end customer"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="desk-end-customer">End customer</label>
        <input id="desk-end-customer" maxLength={200} value={endCustomer} onChange={(e) => setEndCustomer(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="desk-days-left">At most days left</label>
        <input
          id="desk-days-left"
          className="qty"
          type="number"
          min={0}
          max={3650}
          step={1}
          value={daysLeftMax}
          onChange={(e) => setDaysLeftMax(e.target.value)}
        />
      </div>
      <FilterSelect
        id="desk-assignee"
        label="Assignee"
        allLabel="Anyone"
        value={value.assigneeId ?? ''}
        options={assignees.map((a) => ({ value: a.id, label: a.label }))}
        onChange={(v) => onChange({ ...value, assigneeId: v || undefined })}
      />
      <FilterSelect
        id="desk-threshold"
        label="Threshold"
        allLabel="Every threshold"
        value={value.threshold?.toString() ?? ''}
        options={thresholds.map((t) => ({ value: String(t), label: thresholdLabel(t) }))}
        onChange={(v) => onChange({ ...value, threshold: v ? Number.parseInt(v, 10) : undefined })}
      />
      {resellers.length > 0 && (
        <FilterSelect
          id="desk-reseller"
          label="Reseller"
          allLabel="Every reseller"
          value={value.resellerId ?? ''}
          options={resellers.map((r) => ({ value: r.id, label: r.name }))}
          onChange={(v) => onChange({ ...value, resellerId: v || undefined })}
        />
      )}
      <FilterSelect
        id="desk-sort"
        label="Order in a column"
        allLabel="Days left, fewest first"
        value={sort}
        options={SORTS}
        onChange={(v) => {
          const [s, o] = v ? (v.split(':') as ['daysLeft' | 'value', 'asc' | 'desc']) : [undefined, undefined];
          onChange({ ...value, sort: s, order: o });
        }}
      />
      <div className="form-actions">
        <button type="submit">Filter</button>
        <button type="button" className="secondary" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}
