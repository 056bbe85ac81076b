import { FormEvent, useState } from 'react';
import { client, ok } from '../api';
import { DateText, Empty, ErrorBanner, Loading, Notice, PageHeader, TableRegion, useAsync } from '../components/ui';
import type { ApiTokenCreated, TotpEnrolment } from '../contract';
import { hasRole, ROLE_LABELS, useMe } from '../session';
import './auth.css';

/** Roles that may hold API tokens (the API's TOKEN_ROLES, docs/security.md §10). */
export const TOKEN_ROLES = ['admin', 'finance', 'reseller_admin', 'reseller_finance'] as const;

/** The signed-in user's account: two-step sign-in (TOTP) and, for roles that may, API tokens. */
export function AccountPage() {
  const me = useMe();
  return (
    <section>
      <PageHeader title="My account" />
      <p className="lead">
        {me.email} · {ROLE_LABELS[me.role]}
      </p>
      <TwoStep />
      {hasRole(me, ...TOKEN_ROLES) && <ApiTokens />}
    </section>
  );
}

function TwoStep() {
  const status = useAsync(() => ok(client.GET('/api/v1/me/totp')), []);
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (action: () => Promise<void>, message: string) => {
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      await action();
      setDone(message);
      setCode('');
      await status.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const start = () =>
    act(async () => setEnrolment(await ok(client.POST('/api/v1/me/totp'))), 'Add the key to your authenticator app, then enter a code.');
  const confirm = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await ok(client.POST('/api/v1/me/totp/confirm', { body: { code } }));
      setEnrolment(null);
    }, 'Two-step sign-in is on: sign-in now asks for a code.');
  };
  const disable = (e: FormEvent) => {
    e.preventDefault();
    void act(() => ok(client.POST('/api/v1/me/totp/disable', { body: { code } })), 'Two-step sign-in is off.');
  };
  const codeField = (
    <div className="field">
      <label htmlFor="totp-code">6-digit code</label>
      <input
        id="totp-code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]{6}"
        maxLength={6}
        required
        value={code}
        onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
      />
    </div>
  );

  return (
    <div className="card" aria-labelledby="totp-title">
      <h2 id="totp-title">Two-step sign-in</h2>
      <ErrorBanner error={status.error ?? error} />
      {done && <Notice kind="success">{done}</Notice>}
      {!status.data ? (
        <Loading />
      ) : status.data.enabled ? (
        <form className="toolbar" onSubmit={disable}>
          <p>On: sign-in asks for a code from your authenticator app.</p>
          {codeField}
          <button type="submit" disabled={busy || code.length !== 6}>
            Turn off
          </button>
        </form>
      ) : enrolment ? (
        <form onSubmit={confirm}>
          <p>Add this key to your authenticator app (shown once), then enter the code it shows.</p>
          <p className="secret-once" aria-label="Secret key">
            {enrolment.secret}
          </p>
          <p className="hint">
            Or open <a href={enrolment.otpauthUrl}>this otpauth link</a> on the device with the app.
          </p>
          <div className="toolbar">
            {codeField}
            <button type="submit" className="primary" disabled={busy || code.length !== 6}>
              Turn on
            </button>
          </div>
        </form>
      ) : (
        <>
          <p>Off. With it on, sign-in asks for a code from an authenticator app as well as your password.</p>
          <button type="button" className="primary" disabled={busy} onClick={() => void start()}>
            Set up two-step sign-in
          </button>
        </>
      )}
    </div>
  );
}

function ApiTokens() {
  const tokens = useAsync(() => ok(client.GET('/api/v1/me/tokens')), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      setCreated(await ok(client.POST('/api/v1/me/tokens', { body: { name: name.trim() } })));
      setName('');
      await tokens.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await ok(client.DELETE('/api/v1/me/tokens/{id}', { params: { path: { id } } }));
      if (created?.id === id) setCreated(null);
      await tokens.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div className="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p>For integrations (an ERP, a script): a token acts as you. Keep it secret; revoke it when it is no longer used.</p>
      <ErrorBanner error={tokens.error ?? error} />
      {created && (
        <Notice kind="success">
          Token “{created.name}” created. Copy it now: it is not shown again.
          <span className="secret-once" aria-label="New API token">
            {created.token}
          </span>
        </Notice>
      )}
      <form className="toolbar" onSubmit={create}>
        <div className="field">
          <label htmlFor="token-name">Name</label>
          <input
            id="token-name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="ERP integration"
          />
        </div>
        <button type="submit" className="primary" disabled={busy || !name.trim()}>
          Create token
        </button>
      </form>
      {!tokens.data ? (
        <Loading />
      ) : tokens.data.items.length === 0 ? (
        <Empty>No API tokens yet.</Empty>
      ) : (
        <TableRegion label="API tokens">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.items.map((tk) => (
                <tr key={tk.id}>
                  <td>{tk.name}</td>
                  <td>
                    <DateText value={tk.createdAt} />
                  </td>
                  <td>
                    <DateText value={tk.lastUsedAt} />
                  </td>
                  <td>
                    {tk.revokedAt ? (
                      'Revoked'
                    ) : (
                      <button type="button" onClick={() => void revoke(tk.id)} aria-label={`Revoke ${tk.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </div>
  );
}
