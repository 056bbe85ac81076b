import { useState } from 'react';
import { client, ok } from '../../api';
import type { Me } from '../../contract';
import { ErrorBanner, Notice, useAsync } from '../ui';

export interface Assignee {
  id: string;
  label: string;
}

/**
 * Who a renewal may be assigned to: the API accepts a sales user of the renewal's reseller. A reseller
 * admin reads its reseller's users, a distributor admin every user; a sales user can read no user list
 * and so assigns to itself.
 */
export function useAssignees(me: Me | null) {
  return useAsync(async (): Promise<Assignee[]> => {
    if (!me) return [];
    const self = { id: me.id, label: `Me (${me.email})` };
    if (me.role === 'sales') return [self];
    let users: Me[] = [];
    if (me.role === 'reseller_admin' && me.resellerId) {
      users = (await ok(client.GET('/api/v1/resellers/{id}/users', { params: { path: { id: me.resellerId } } }))).items;
    } else if (me.role === 'admin') {
      users = (await ok(client.GET('/api/v1/users'))).items;
    }
    return users.filter((u) => u.role === 'sales').map((u) => ({ id: u.id, label: u.email }));
  }, [me?.id]);
}

/** The card's assignee in words: "You", the user's email where the portal knows it, else "a colleague". */
export function assigneeName(assigneeId: string | null | undefined, me: Me | null, assignees: Assignee[] | undefined): string {
  if (!assigneeId) return 'Unassigned';
  if (assigneeId === me?.id) return 'You';
  return assignees?.find((a) => a.id === assigneeId)?.label ?? 'A colleague';
}

const UNASSIGN = 'none';

/**
 * The bulk assign bar over the desk: how many cards are selected, select all visible / clear, and
 * the assignee to give them all (POST /renewal-alerts/assign, all or nothing).
 */
export function BulkAssignBar({
  me,
  assignees,
  assigneesError,
  selected,
  visibleIds,
  onSelect,
  onAssigned,
}: {
  me: Me | null;
  assignees: Assignee[] | undefined;
  assigneesError: unknown;
  selected: string[];
  visibleIds: string[];
  onSelect: (ids: string[]) => void;
  onAssigned: () => Promise<void> | void;
}) {
  const [assignee, setAssignee] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const allVisible = visibleIds.length > 0 && visibleIds.every((id) => selected.includes(id));

  const assign = async (to: string | null, label: string) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const res = await ok(client.POST('/api/v1/renewal-alerts/assign', { body: { alertIds: selected, assigneeId: to } }));
      onSelect([]);
      // Said once the cards show it.
      await onAssigned();
      setDone(`${res.renewals} renewal${res.renewals === 1 ? '' : 's'} ${to ? `assigned to ${label}` : 'unassigned'}.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const submit = () => {
    if (assignee === UNASSIGN) return void assign(null, '');
    const who = assignees?.find((a) => a.id === assignee);
    if (who) void assign(who.id, who.id === me?.id ? 'you' : who.label);
  };

  return (
    <div className="card bulk-assign" role="group" aria-label="Bulk assign">
      <div className="toolbar">
        <label className="check">
          <input
            type="checkbox"
            checked={allVisible}
            disabled={visibleIds.length === 0}
            onChange={(e) =>
              onSelect(e.target.checked ? [...new Set([...selected, ...visibleIds])] : selected.filter((id) => !visibleIds.includes(id)))
            }
          />{' '}
          Select all visible ({visibleIds.length})
        </label>
        <span className="muted" aria-live="polite" data-testid="selected-count">
          {selected.length} selected
        </span>
        {me?.role === 'sales' ? (
          <button type="button" className="primary" disabled={busy || selected.length === 0} onClick={() => void assign(me.id, 'you')}>
            Assign to me
          </button>
        ) : (
          <>
            <div className="field">
              <label htmlFor="bulk-assignee">Assign to</label>
              <select id="bulk-assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
                <option value="">Choose a sales user…</option>
                {(assignees ?? []).map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.label}
                  </option>
                ))}
                <option value={UNASSIGN}>Nobody (unassign)</option>
              </select>
            </div>
            <button type="button" className="primary" disabled={busy || selected.length === 0 || !assignee} onClick={submit}>
              Assign selected
            </button>
          </>
        )}
        {selected.length > 0 && (
          <button type="button" className="secondary" disabled={busy} onClick={() => onSelect([])}>
            Clear selection
          </button>
        )}
      </div>
      <ErrorBanner error={assigneesError} title="The sales users could not be loaded" />
      <ErrorBanner error={error} title="The renewals were not assigned" />
      {done && <Notice kind="success">{done}</Notice>}
    </div>
  );
}
