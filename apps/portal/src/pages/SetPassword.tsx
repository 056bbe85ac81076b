import { FormEvent, useState } from 'react';
import { client, ok } from '../api';
import { ErrorBanner, Notice } from '../components/ui';
import { Link } from '../router';
import './auth.css';

/** /set-password#token=…: the one-time link of a reset or of a new user (docs/security.md §8). */
export function SetPasswordPage() {
  // The token is in the fragment: the browser never sends it to a server.
  const [token] = useState(() => new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') ?? '');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = again.length > 0 && again !== password;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await ok(client.POST('/api/v1/auth/password-reset/confirm', { body: { token, password } }));
      setDone(true);
      window.history.replaceState(null, '', '/set-password');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <div className="card signin-card">
        <h1 id="set-title">Set your password</h1>
        {done ? (
          <>
            <Notice kind="success">Your password is set. You were signed out everywhere else.</Notice>
            <Link to="/" className="button primary">
              Sign in
            </Link>
          </>
        ) : !token ? (
          <>
            <Notice kind="warning">This page needs the link from your email or your administrator.</Notice>
            <Link to="/">Back to sign-in</Link>
          </>
        ) : (
          <form onSubmit={submit} aria-labelledby="set-title">
            <ErrorBanner error={error} title="The password was not set" />
            <label htmlFor="new-password">New password</label>
            <input
              id="new-password"
              type="password"
              autoComplete="new-password"
              minLength={12}
              required
              autoFocus
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby="password-help"
            />
            <p id="password-help" className="hint">
              At least 12 characters, and not your email address. A passphrase of a few words is good.
            </p>
            <label htmlFor="new-password-again">New password again</label>
            <input
              id="new-password-again"
              type="password"
              autoComplete="new-password"
              required
              value={again}
              onChange={(e) => setAgain(e.target.value)}
              aria-invalid={mismatch}
              aria-describedby={mismatch ? 'mismatch' : undefined}
            />
            {mismatch && (
              <p id="mismatch" className="hint" role="alert">
                The two passwords differ.
              </p>
            )}
            <button type="submit" className="primary" disabled={busy || password.length < 12 || again !== password}>
              {busy ? 'Saving…' : 'Set password'}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
