// Sign-in: passwords, sessions, one-time password links, lockout (docs/security.md §6–§8).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, timingSafeEqual } from 'crypto';
import { DataSource } from 'typeorm';
import { Actor, environment, preparedStatement, queryPrepared, Role } from '#disty/core';
import { UserResponse } from '../dto/create-user.dto';
import { identityError, IdentityErrorCode } from '../errors';
import { hashToken } from '../tokens';
import { PasswordLinkOutbox } from './password-link-outbox';
import { assertPasswordPolicy, hashPassword, verifyPassword } from './passwords';
import { totpStep } from './totp';

/** Failures in a row before an account is locked, and for how long (docs/security.md §7). */
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MINUTES = 15;
/** Failed sign-ins from one address in IP_WINDOW_MINUTES before it gets 429. */
export const IP_FAILURE_LIMIT = 30;
export const IP_WINDOW_MINUTES = 15;
/** How long a one-time link is valid: a reset link, and the link a new user gets. */
export const RESET_LINK_MINUTES = 30;
export const SET_LINK_MINUTES = 72 * 60;

export interface NewSession {
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface SessionActor {
  actor: Actor;
  csrfToken: string;
}

interface Candidate {
  id: string;
  email: string;
  role: Role;
  reseller_id: string | null;
  password_hash: string | null;
  totp_enabled: boolean;
  totp_secret: string | null;
  totp_last_step: string | null;
  locked: boolean;
}

const SESSION_BY_HASH = preparedStatement(
  'identity.session-by-hash',
  `SELECT u.id, u.role, u.reseller_id, s.csrf_token, s.last_seen_at < now() - interval '1 minute' AS stale
     FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id_hash = $1 AND u.active AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(mins => $2::int)`,
);

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

export function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: PasswordLinkOutbox,
  ) {}

  /**
   * Email and password (and the TOTP code when the account has one) → a new session. Every
   * failure — unknown email, wrong password, locked or inactive account — is the same 401; an
   * address with too many recent failures gets 429 whoever it names (no enumeration).
   */
  async signIn(
    input: { email: string; password: string; totpCode?: string },
    ip: string,
    userAgent: string | undefined,
  ): Promise<{ user: UserResponse; session: NewSession }> {
    const [{ n }]: Array<{ n: number }> = await this.db.query(
      `SELECT count(*)::int AS n FROM sign_in_failures WHERE ip = $1 AND at > now() - make_interval(mins => $2::int)`,
      [ip, IP_WINDOW_MINUTES],
    );
    if (n >= IP_FAILURE_LIMIT) {
      throw identityError(
        IdentityErrorCode.TooManySignIns,
        `Too many failed sign-ins from this address; try again in ${IP_WINDOW_MINUTES} minutes`,
      );
    }
    const candidates: Candidate[] = await this.db.query(
      `SELECT id, email, role, reseller_id, password_hash, totp_enabled, totp_secret, totp_last_step,
              coalesce(locked_until > now(), false) AS locked
         FROM users WHERE email = lower($1) AND active ORDER BY created_at, id LIMIT 10`,
      [input.email.trim()],
    );
    let user: Candidate | undefined;
    for (const c of candidates) {
      if ((await verifyPassword(c.password_hash, input.password)) && !c.locked && !user) user = c;
    }
    if (!candidates.length) await verifyPassword(null, input.password);
    if (!user)
      return this.failed(
        ip,
        candidates.filter((c) => !c.locked).map((c) => c.id),
      );

    if (user.totp_enabled) {
      if (!input.totpCode) {
        throw identityError(IdentityErrorCode.TotpRequired, 'Enter the 6-digit code from your authenticator app', { totpRequired: true });
      }
      const step = totpStep(user.totp_secret!, input.totpCode, user.totp_last_step);
      if (step === null) return this.failed(ip, [user.id]);
      await this.db.query(`UPDATE users SET totp_last_step = $2 WHERE id = $1`, [user.id, step]);
    }
    await this.db.query(`UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1`, [user.id]);
    const session = await this.createSession(user.id, ip, userAgent);
    return {
      user: { id: user.id, email: user.email, role: user.role, resellerId: user.reseller_id },
      session,
    };
  }

  private async failed(ip: string, userIds: string[]): Promise<never> {
    await this.db.query(`INSERT INTO sign_in_failures (ip) VALUES ($1)`, [ip]);
    await this.db.query(`DELETE FROM sign_in_failures WHERE at < now() - interval '1 day'`);
    if (userIds.length) {
      await this.db.query(
        `UPDATE users
            SET failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= $2 THEN 0 ELSE failed_sign_ins + 1 END,
                locked_until = CASE WHEN failed_sign_ins + 1 >= $2 THEN now() + make_interval(mins => $3::int) ELSE locked_until END
          WHERE id = ANY($1::uuid[])`,
        [userIds, LOCK_AFTER_FAILURES, LOCK_MINUTES],
      );
    }
    throw identityError(IdentityErrorCode.InvalidCredentials, 'The email, password or code is not right');
  }

  async createSession(userId: string, ip: string | null, userAgent: string | undefined): Promise<NewSession> {
    const id = random(32);
    const csrfToken = random(24);
    await this.db.query(`DELETE FROM sessions WHERE user_id = $1 AND expires_at < now()`, [userId]);
    const [{ expires_at }]: Array<{ expires_at: Date }> = await this.db.query(
      `INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, now() + make_interval(hours => $4::int), $5, left($6, 300)) RETURNING expires_at`,
      [hashToken(id), userId, csrfToken, environment().SESSION_MAX_HOURS, ip, userAgent ?? null],
    );
    return { id, csrfToken, expiresAt: expires_at };
  }

  /** The user of a live session (idle and absolute expiry: docs/security.md §6), or null. */
  async sessionActor(sessionId: string): Promise<SessionActor | null> {
    if (!sessionId || sessionId.length > 100) return null;
    const idHash = hashToken(sessionId);
    const [s] = await queryPrepared<{
      id: string;
      role: Role;
      reseller_id: string | null;
      csrf_token: string;
      stale: boolean;
    }>(this.db, SESSION_BY_HASH, [idHash, environment().SESSION_IDLE_MINUTES]);
    if (!s) return null;
    if (s.stale) await this.db.query(`UPDATE sessions SET last_seen_at = now() WHERE id_hash = $1`, [idHash]);
    return { actor: { id: s.id, role: s.role, resellerId: s.reseller_id }, csrfToken: s.csrf_token };
  }

  async endSession(sessionId: string): Promise<void> {
    await this.db.query(`DELETE FROM sessions WHERE id_hash = $1`, [hashToken(sessionId)]);
  }

  /** POST /auth/password-reset: a link to every active user with that email; nothing says whether there is one. */
  async requestReset(email: string): Promise<void> {
    const users: Array<{ id: string; email: string }> = await this.db.query(
      `SELECT id, email FROM users WHERE email = lower($1) AND active`,
      [email.trim()],
    );
    for (const u of users) await this.issueLink(u.id, u.email, 'reset');
  }

  /** A one-time link (stored as a hash) to set the user's password; delivered to the outbox, and returned. */
  async issueLink(userId: string, email: string, purpose: 'reset' | 'set'): Promise<string> {
    const token = random(32);
    await this.db.query(
      `INSERT INTO password_links (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, now() + make_interval(mins => $4::int))`,
      [hashToken(token), userId, purpose, purpose === 'reset' ? RESET_LINK_MINUTES : SET_LINK_MINUTES],
    );
    const env = environment();
    const base = (env.PORTAL_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
    // In the fragment: a browser never sends it to a server, so no access log holds it.
    const url = `${base}/set-password#token=${token}`;
    this.outbox.deliver({ email, purpose, url });
    return url;
  }

  /**
   * POST /auth/password-reset/confirm: the link's token and a new password. The link works once
   * and until it expires; the user's other links and sessions end, and any lock is lifted.
   */
  async confirmLink(token: string, password: string): Promise<void> {
    const tokenHash = hashToken(token ?? '');
    const [link]: Array<{ user_id: string; email: string }> = await this.db.query(
      `SELECT l.user_id, u.email FROM password_links l JOIN users u ON u.id = l.user_id
        WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > now() AND u.active`,
      [tokenHash],
    );
    if (!link)
      throw identityError(
        IdentityErrorCode.PasswordLinkInvalid,
        'This link is not valid: it has expired or was already used. Ask for a new one.',
      );
    assertPasswordPolicy(password, link.email);
    const hash = await hashPassword(password);
    await this.db.transaction(async (em) => {
      const [used]: [unknown[], number] = await em.query(
        `UPDATE password_links SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
        [tokenHash],
      );
      if (!used.length) throw identityError(IdentityErrorCode.PasswordLinkInvalid, 'This link is not valid: it was already used.');
      await this.storePassword(em, link.user_id, hash);
    });
  }

  /** Sets a password directly (the demo seed), under the policy. */
  async setPassword(userId: string, email: string, password: string): Promise<void> {
    assertPasswordPolicy(password, email);
    const hash = await hashPassword(password);
    await this.db.transaction((em) => this.storePassword(em, userId, hash));
  }

  private async storePassword(em: { query: DataSource['query'] }, userId: string, hash: string): Promise<void> {
    await em.query(
      `UPDATE users SET password_hash = $2, password_changed_at = now(), failed_sign_ins = 0, locked_until = NULL WHERE id = $1`,
      [userId, hash],
    );
    await em.query(`UPDATE password_links SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [userId]);
    await em.query(`DELETE FROM sessions WHERE user_id = $1`, [userId]);
  }
}
