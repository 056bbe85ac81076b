/** The portal's one way to the API: /api/v1 with the signed-in user's bearer token. */
import type { CreditLine } from './contract';

export const API = '/api/v1';
const TOKEN_KEY = 'disty.token';

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** An RFC 9457 problem as the API sends it (docs/api-conventions.md §3). */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
  creditLine?: CreditLine;
  available?: string;
  requested?: string;
  currency?: string;
  [extra: string]: unknown;
}

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

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

let onUnauthenticated: () => void = () => undefined;
/** Called when the API answers 401: the session is over. */
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const token = tokenStore.get();
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError({ status: 0, title: 'The API cannot be reached', detail: 'Check your connection and try again.' });
  }
  if (!res.ok) {
    let problem: Problem;
    try {
      problem = (await res.json()) as Problem;
    } catch {
      problem = { status: res.status, title: res.statusText || `HTTP ${res.status}` };
    }
    problem.status = problem.status ?? res.status;
    if (res.status === 401 && token) onUnauthenticated();
    throw new ApiError(problem);
  }
  return res;
}

async function json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const res = await send(method, path, body, headers);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => json<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) => json<T>('POST', path, body ?? {}, headers),
  patch: <T>(path: string, body: unknown) => json<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => json<T>('PUT', path, body),
  /** A file (PDF, CSV) fetched with the token and handed to the browser as a download. */
  download: async (path: string, filename: string, accept: string): Promise<void> => {
    const res = await send('GET', path, undefined, { Accept: accept });
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
};

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

/** Every item of a paged list (at most `maxPages` pages of 200). */
export async function fetchAll<T>(path: string, query: Query = {}, maxPages = 25): Promise<{ items: T[]; total: number; truncated: boolean }> {
  const items: T[] = [];
  let total = 0;
  for (let page = 1; page <= maxPages; page++) {
    const res = await api.get<Page<T>>(path, { ...query, page, pageSize: 200 });
    items.push(...res.items);
    total = res.total;
    if (items.length >= total || res.items.length === 0) return { items, total, truncated: false };
  }
  return { items, total, truncated: items.length < total };
}
