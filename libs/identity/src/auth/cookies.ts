import type { CookieOptions, Request, Response } from 'express';
import { environment } from '#disty/core';
import type { NewSession } from './auth.service';

/** The session cookie (httpOnly) and the CSRF cookie the portal reads (docs/security.md §6). */
export const SESSION_COOKIE = 'disty_session';
export const CSRF_COOKIE = 'disty_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function options(httpOnly: boolean): CookieOptions {
  // Secure in production; SameSite=Lax: not sent on cross-site POSTs, kept on links from elsewhere.
  return { httpOnly, sameSite: 'lax', secure: environment().NODE_ENV === 'production', path: '/' };
}

export function setSessionCookies(res: Response, session: NewSession): void {
  const maxAge = Math.max(0, session.expiresAt.getTime() - Date.now());
  res.cookie(SESSION_COOKIE, session.id, { ...options(true), maxAge });
  res.cookie(CSRF_COOKIE, session.csrfToken, { ...options(false), maxAge });
}

export function clearSessionCookies(res: Response): void {
  res.clearCookie(SESSION_COOKIE, options(true));
  res.clearCookie(CSRF_COOKIE, options(false));
}
