import { FormEvent, useState } from 'react';
import { client, ok } from '../api';
import { Empty, ErrorBanner, FilterSelect, Loading, Notice, PageHeader, TableRegion, useAsync } from '../components/ui';
import type { Role, User } from '../contract';
import { useResellers } from '../resellers';
import { navigate, useLocation } from '../router';
import { ROLE_LABELS, useMe } from '../session';
import './auth.css';

const STAFF_ROLES: Role[] = ['admin', 'finance'];
const RESELLER_ROLES: Role[] = ['reseller_admin', 'buyer', 'sales', 'reseller_finance'];

/** Admin: users and their roles; create one (it gets a set-password link), change its role, deactivate it. */
export function AdminUsersPage() {
  const me = useMe();
  const { query } = useLocation();
  const filter = query.get('reseller') ?? '';
  const resellers = useResellers();
  const users = useAsync(() => ok(client.GET('/api/v1/users')), []);
  const [error, setError] = useState<unknown>(null);
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);

  const rows = (users.data?.items ?? []).filter((u) => !filter || (filter === 'staff' ? u.resellerId === null : u.resellerId === filter));
  const update = async (u: User, body: { role?: Role; active?: boolean }) => {
    setError(null);
    try {
      await ok(client.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body }));
      await users.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section>
      <PageHeader title="Users" />
      <CreateUser
        resellers={resellers.list.map((r) => ({ value: r.id, label: r.name }))}
        initialReseller={filter === 'staff' ? '' : filter}
        onCreated={async (u) => {
          if (u.setPasswordLink) setLink({ email: u.email, url: u.setPasswordLink });
          await users.reload();
        }}
      />
      {link && (
        <Notice kind="success">
          Send {link.email} this one-time link to set a password (valid 72 hours, shown once):
          <span className="secret-once" aria-label="Set-password link">
            {link.url}
          </span>
        </Notice>
      )}
      <div className="toolbar">
        <FilterSelect
          id="users-tenant"
          label="Show"
          allLabel="Everyone"
          value={filter}
          onChange={(v) => navigate(v ? `/admin/users?reseller=${v}` : '/admin/users', { replace: true })}
          options={[{ value: 'staff', label: 'Distributor staff' }, ...resellers.list.map((r) => ({ value: r.id, label: r.name }))]}
        />
      </div>
      <ErrorBanner error={users.error ?? error} />
      {!users.data ? (
        <Loading what="Loading users" />
      ) : rows.length === 0 ? (
        <Empty>No users here yet: create one above.</Empty>
      ) : (
        <TableRegion label="Users" csv="users">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Reseller</th>
                <th scope="col">Role</th>
                <th scope="col">Sign-in</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr key={u.id} className={u.active === false ? 'row-muted' : undefined}>
                  <td>{u.email}</td>
                  <td>{u.resellerId ? resellers.name(u.resellerId) : 'Distributor'}</td>
                  <td>
                    <label className="sr-only" htmlFor={`role-${u.id}`}>
                      Role of {u.email}
                    </label>
                    <select
                      id={`role-${u.id}`}
                      value={u.role}
                      disabled={u.id === me.id}
                      onChange={(e) => void update(u, { role: e.target.value as Role })}
                    >
                      {(u.resellerId ? RESELLER_ROLES : STAFF_ROLES).map((r) => (
                        <option key={r} value={r}>
                          {ROLE_LABELS[r]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {u.active === false ? 'Deactivated' : u.hasPassword ? 'Password set' : 'No password yet'}
                    {u.totpEnabled ? ' · two-step' : ''}
                  </td>
                  <td>
                    {u.id !== me.id && (
                      <button
                        type="button"
                        onClick={() => void update(u, { active: u.active === false })}
                        aria-label={`${u.active === false ? 'Reactivate' : 'Deactivate'} ${u.email}`}
                      >
                        {u.active === false ? 'Reactivate' : 'Deactivate'}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}

function CreateUser({
  resellers,
  initialReseller,
  onCreated,
}: {
  resellers: Array<{ value: string; label: string }>;
  initialReseller: string;
  onCreated: (u: User) => Promise<void>;
}) {
  const [email, setEmail] = useState('');
  const [resellerId, setResellerId] = useState(initialReseller);
  const [role, setRole] = useState<Role>(initialReseller ? 'buyer' : 'finance');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const roles = resellerId ? RESELLER_ROLES : STAFF_ROLES;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const u = await ok(
        client.POST('/api/v1/users', {
          body: { email: email.trim(), role, ...(resellerId ? { resellerId } : {}) },
        }),
      );
      setEmail('');
      await onCreated(u);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form-grid" onSubmit={submit} aria-labelledby="new-user-title">
      <h2 id="new-user-title" className="form-wide">
        New user
      </h2>
      <div className="form-wide">
        <ErrorBanner error={error} title="The user was not created" />
      </div>
      <div className="field">
        <label htmlFor="new-user-email">Email</label>
        <input id="new-user-email" type="email" required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="new-user-tenant">Works for</label>
        <select
          id="new-user-tenant"
          value={resellerId}
          onChange={(e) => {
            setResellerId(e.target.value);
            setRole(e.target.value ? 'buyer' : 'finance');
          }}
        >
          <option value="">The distributor (staff)</option>
          {resellers.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="new-user-role">Role</label>
        <select id="new-user-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </div>
      <div className="form-actions form-wide">
        <button type="submit" className="primary" disabled={busy || !email.trim()}>
          {busy ? 'Creating…' : 'Create user'}
        </button>
      </div>
    </form>
  );
}
