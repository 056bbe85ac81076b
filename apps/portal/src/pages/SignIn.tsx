import { FormEvent, useState } from 'react';
import { ApiError } from '../api';
import { ErrorBanner, Notice } from '../components/ui';
import { useSession } from '../session';

export function SignInPage() {
  const { signIn, notice } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await signIn(token);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? new ApiError({ ...err.problem, status: 401, title: 'That API token was not accepted', detail: 'Check the token and try again.' })
          : err,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Disty portal</h1>
        <p className="muted">Order hardware and cloud on credit, act on renewals, pay and reconcile invoices.</p>
        {notice && <Notice kind="warning">{notice}</Notice>}
        <ErrorBanner error={error} />
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" className="hint">
          Your administrator gives you a token. It is kept only for this browser tab and forgotten when you sign out.
        </p>
        <button type="submit" className="primary" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
