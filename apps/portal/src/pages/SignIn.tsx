import { FormEvent, useState } from 'react';
import { ApiError, client, ok } from '../api';
import { ErrorBanner, Notice } from '../components/ui';
import { useSession } from '../session';
import './auth.css';

type Mode = 'password' | 'forgot' | 'token';

/** Sign-in: email and password, then a TOTP code when the account has one; a reset link; or an API token (docs/security.md §6). */
export function SignInPage() {
  const { signIn, signInWithPassword, notice } = useSession();
  const [mode, setMode] = useState<Mode>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [token, setToken] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async (e: FormEvent, action: () => Promise<void>) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = (e: FormEvent) =>
    run(e, async () => {
      try {
        await signInWithPassword(email, password, needsCode ? code : undefined);
      } catch (err) {
        if (err instanceof ApiError && err.slug === 'totp-required') {
          setNeedsCode(true);
          return;
        }
        if (err instanceof ApiError && err.status === 401) {
          throw new ApiError({
            ...err.problem,
            title: 'Not signed in',
            detail: 'The email, password or code is not right. After 5 tries the account waits 15 minutes.',
          });
        }
        throw err;
      }
    });

  const submitForgot = (e: FormEvent) =>
    run(e, async () => {
      await ok(client.POST('/api/v1/auth/password-reset', { body: { email: email.trim() } }));
      setSent(true);
    });

  const submitToken = (e: FormEvent) =>
    run(e, async () => {
      try {
        await signIn(token);
      } catch (err) {
        throw err instanceof ApiError && err.status === 401
          ? new ApiError({
              ...err.problem,
              status: 401,
              title: 'That API token was not accepted',
              detail: 'Check the token and try again.',
            })
          : err;
      }
    });

  const switchTo = (m: Mode) => {
    setMode(m);
    setError(null);
    setSent(false);
  };

  return (
    <main className="signin">
      <div className="card signin-card">
        <h1 id="signin-title">Disty portal</h1>
        <p className="muted">Order hardware and cloud on credit, act on renewals, pay and reconcile invoices.</p>
        {notice && <Notice kind="warning">{notice}</Notice>}
        <ErrorBanner error={error} />
        {mode === 'password' && (
          <form onSubmit={submitPassword} aria-labelledby="signin-title">
            <label htmlFor="email">Email</label>
            <input
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            {needsCode && (
              <>
                <label htmlFor="totp">Code from your authenticator app</label>
                <input
                  id="totp"
                  name="totp"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="[0-9]{6}"
                  maxLength={6}
                  required
                  autoFocus
                  value={code}
                  onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
                  aria-describedby="totp-help"
                />
                <p id="totp-help" className="hint">
                  Your account has two-step sign-in: enter the 6-digit code.
                </p>
              </>
            )}
            <button type="submit" className="primary" disabled={busy || !email.trim() || !password}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            <p className="signin-links">
              <button type="button" className="link-button" onClick={() => switchTo('forgot')}>
                Forgot password?
              </button>
              <button type="button" className="link-button" onClick={() => switchTo('token')}>
                Use an API token
              </button>
            </p>
          </form>
        )}
        {mode === 'forgot' && (
          <form onSubmit={submitForgot} aria-label="Reset your password">
            {sent ? (
              <Notice kind="success">
                If an account has this email, a link to set a new password is on its way. It works once, for 30 minutes.
              </Notice>
            ) : (
              <>
                <label htmlFor="reset-email">Email</label>
                <input
                  id="reset-email"
                  name="email"
                  type="email"
                  autoComplete="username"
                  required
                  autoFocus
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
                <button type="submit" className="primary" disabled={busy || !email.trim()}>
                  {busy ? 'Sending…' : 'Send me a reset link'}
                </button>
              </>
            )}
            <p className="signin-links">
              <button type="button" className="link-button" onClick={() => switchTo('password')}>
                Back to sign-in
              </button>
            </p>
          </form>
        )}
        {mode === 'token' && (
          <form onSubmit={submitToken} aria-label="Token sign-in">
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
              For integrations and support. The token is kept only for this browser tab and forgotten when you sign out.
            </p>
            <button type="submit" className="primary" disabled={busy || !token.trim()}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            <p className="signin-links">
              <button type="button" className="link-button" onClick={() => switchTo('password')}>
                Use email and password
              </button>
            </p>
          </form>
        )}
      </div>
    </main>
  );
}
