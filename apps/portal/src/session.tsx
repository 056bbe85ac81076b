import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, client, csrfToken, ok, setUnauthenticatedHandler, tokenStore } from './api';
import type { Me, PublicConfig, Reseller, Role } from './contract';

interface Session {
  me: Me | null;
  /** The signed-in user's reseller (reseller roles only). */
  reseller: Reseller | null;
  config: PublicConfig;
  loading: boolean;
  /** "Use an API token": the token is kept for this tab only. */
  signIn(token: string): Promise<void>;
  /** Email and password (and the TOTP code when asked): a session cookie every tab shares. */
  signInWithPassword(email: string, password: string, totpCode?: string): Promise<void>;
  signOut(message?: string): void;
  notice: string | null;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user, who must be there (pages behind sign-in). */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('not signed in');
  return me;
}

export function hasRole(me: Me | null, ...roles: Role[]): boolean {
  return !!me && roles.includes(me.role);
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Distributor admin',
  finance: 'Distributor finance',
  reseller_admin: 'Reseller admin',
  buyer: 'Buyer',
  sales: 'Sales',
  reseller_finance: 'Reseller finance',
  integration: 'Integration (machine identity)',
};

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [reseller, setReseller] = useState<Reseller | null>(null);
  const [config, setConfig] = useState<PublicConfig>({ stripePublishableKey: null, cardPayments: false });
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);
  const signingIn = useRef(false);

  const signOut = useCallback((message?: string) => {
    // Ends the server's session (best effort) and forgets its CSRF cookie.
    if (csrfToken() && !tokenStore.get()) void client.POST('/api/v1/auth/sign-out').catch(() => undefined);
    document.cookie = 'disty_csrf=; Max-Age=0; path=/';
    tokenStore.clear();
    sessionStorage.removeItem('disty.cart');
    setMe(null);
    setReseller(null);
    setNotice(message ?? null);
  }, []);

  const load = useCallback(async () => {
    const who = await ok(client.GET('/api/v1/me'));
    const own = who.resellerId
      ? await ok(client.GET('/api/v1/resellers/{id}', { params: { path: { id: who.resellerId } } })).catch(() => null)
      : null;
    setMe(who);
    setReseller(own);
    setNotice(null);
  }, []);

  const signIn = useCallback(
    async (token: string) => {
      tokenStore.set(token.trim());
      signingIn.current = true;
      try {
        await load();
      } catch (e) {
        tokenStore.clear();
        throw e;
      } finally {
        signingIn.current = false;
      }
    },
    [load],
  );

  const signInWithPassword = useCallback(
    async (email: string, password: string, totpCode?: string) => {
      tokenStore.clear();
      signingIn.current = true;
      try {
        await ok(
          client.POST('/api/v1/auth/sign-in', {
            body: { email: email.trim(), password, ...(totpCode ? { totpCode: totpCode.trim() } : {}) },
          }),
        );
        await load();
      } finally {
        signingIn.current = false;
      }
    },
    [load],
  );

  useEffect(() => {
    // A 401 mid-session ends it; a 401 while signing in is the sign-in form's own error.
    setUnauthenticatedHandler(() => {
      if (!signingIn.current) signOut('Your session has ended. Sign in again.');
    });
    const cfg = ok(client.GET('/api/v1/config/public'))
      .then(setConfig)
      .catch(() => undefined);
    // A session cookie (any tab) or this tab's API token.
    const who =
      tokenStore.get() || csrfToken()
        ? load().catch((e) => {
            if (e instanceof ApiError && e.status === 401) signOut('Your session has ended. Sign in again.');
          })
        : Promise.resolve();
    void Promise.all([cfg, who]).finally(() => setLoading(false));
  }, [load, signOut]);

  const value = useMemo(
    () => ({ me, reseller, config, loading, signIn, signInWithPassword, signOut, notice }),
    [me, reseller, config, loading, signIn, signInWithPassword, signOut, notice],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
