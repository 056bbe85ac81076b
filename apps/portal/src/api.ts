/**
 * The portal's one way to the API: a client generated from the API's OpenAPI document
 * (`openapi-fetch` over `contract/schema.d.ts`, written by `npm run openapi`), so every path,
 * parameter, body and answer is typed by the contract: when the contract changes, the portal's
 * type-check names every call it breaks (README.md, "Web portal"). Calls go to /api/v1 with the
 * session cookie (set by POST /auth/sign-in; unsafe requests carry its CSRF token in X-CSRF-Token,
 * docs/security.md §6), or with an API token when the user signed in with one; an error answer is
 * thrown as an ApiError carrying the problem.
 */
import createClient from 'openapi-fetch';
import type { CreditLine, ProblemDetails } from './contract';
import type { paths } from './contract/schema';

const TOKEN_KEY = 'disty.token';

/**
 * An RFC 9457 problem as the API sends it (the contract's ProblemDetails, docs/api-conventions.md §3),
 * with the extension members the portal reads (`credit-limit-exceeded`, `credit-hold`).
 */
export type Problem = ProblemDetails & {
  creditLine?: CreditLine;
  available?: string;
  requested?: string;
  currency?: string;
};

export class ApiError extends Error {
  constructor(public readonly problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
  }
  /** The problem's slug: https://disty.dev/problems/<slug>. */
  get slug(): string {
    return (this.problem.type ?? '').split('/').pop() ?? '';
  }
  get status(): number {
    return this.problem.status;
  }
}

/** The session's CSRF token: the readable disty_csrf cookie set at sign-in (any tab of the browser). */
export function csrfToken(): string | null {
  const m = /(?:^|;\s*)disty_csrf=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : null;
}

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** An API token typed on the sign-in page ("use an API token"): kept for this tab only. */
export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

let onUnauthenticated: () => void = () => undefined;
/** Called when the API answers 401: the session is over. */
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

/** fetch with the session cookie (and CSRF token) or the bearer token; an error answer (or no answer) becomes an ApiError. */
async function portalFetch(request: Request): Promise<Response> {
  const token = tokenStore.get();
  const csrf = csrfToken();
  if (token) request.headers.set('Authorization', `Bearer ${token}`);
  else if (csrf && !SAFE_METHODS.includes(request.method)) request.headers.set('X-CSRF-Token', csrf);
  let res: Response;
  try {
    res = await fetch(request);
  } catch {
    throw new ApiError({
      type: 'about:blank',
      status: 0,
      title: 'The API cannot be reached',
      detail: 'Check your connection and try again.',
    });
  }
  if (!res.ok) {
    let problem: Problem;
    try {
      problem = (await res.json()) as Problem;
    } catch {
      const title = res.statusText || `HTTP ${res.status}`;
      problem = { type: 'about:blank', status: res.status, title, detail: title };
    }
    problem.status = problem.status ?? res.status;
    if (res.status === 401 && (token || csrf)) onUnauthenticated();
    throw new ApiError(problem);
  }
  return res;
}

/**
 * The API, typed by its contract: `client.GET('/api/v1/orders/{id}', { params: { path: { id } } })`.
 * Answers are typed by their JSON media type; files (PDF, CSV) are asked for with `parseAs: 'blob'`.
 */
export const client = createClient<paths, `${string}/${string}json`>({
  fetch: portalFetch,
  headers: { Accept: 'application/json' },
});

/**
 * The answer of a successful call. Failed calls never get here: portalFetch threw their ApiError.
 * `ok(client.POST('/api/v1/orders', { body }))` is the contract's OrderView.
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data } = await call;
  return data as T;
}

/** A file (PDF, CSV) fetched with the token (`parseAs: 'blob'`) and handed to the browser as a download. */
export async function download(call: Promise<{ data?: Blob; error?: unknown; response: Response }>, filename: string): Promise<void> {
  const blob = await ok(call);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A filter's value as the contract's enum, or undefined for "any" (an empty select) and values it does not list. */
export function oneOf<T extends string>(options: readonly T[], value: string): T | undefined {
  return (options as readonly string[]).includes(value) ? (value as T) : undefined;
}

/** A text filter, or undefined when empty (so it is not sent). */
export const text = (value: string): string | undefined => value || undefined;

/** A fresh Idempotency-Key for one user action (money-moving POSTs, docs/api-conventions.md §5). */
export function idempotencyKey(): string {
  // randomUUID exists only in secure contexts (https, localhost); getRandomValues everywhere.
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Every item of a paged list (at most `maxPages` pages of 200): `fetchPage` asks for one page. */
export async function fetchAll<T>(
  fetchPage: (page: number, pageSize: number) => Promise<{ items: T[]; total: number }>,
  maxPages = 25,
): Promise<{ items: T[]; total: number; truncated: boolean }> {
  const items: T[] = [];
  let total = 0;
  for (let page = 1; page <= maxPages; page++) {
    const res = await fetchPage(page, 200);
    items.push(...res.items);
    total = res.total;
    if (items.length >= total || res.items.length === 0) return { items, total, truncated: false };
  }
  return { items, total, truncated: items.length < total };
}
