// Owns users (and their hashed tokens).
import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor, DISTRIBUTOR_ROLES, notFound, queryPrepared, RESELLER_ROLES, Role, validationError } from '#disty/core';
import { identityError, IdentityErrorCode } from './errors';
import { UserResponse } from './dto/create-user.dto';
import { USER_BY_TOKEN, UserRow } from './identity.sql';
import { AuthService } from './auth/auth.service';
import { hashToken, LEGACY_DEMO_TOKEN, newToken } from './tokens';
import { TokenCache } from './token-cache';

export { hashToken, LEGACY_DEMO_TOKEN, newToken } from './tokens';

@Injectable()
export class IdentityService {
  private readonly logger = new Logger(IdentityService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly auth: AuthService,
    @Optional() private readonly cache?: TokenCache,
  ) {}

  /**
   * Tokens are stored only as SHA-256 hashes; an unknown or inactive one authenticates nobody. A
   * valid one is kept in the instance's TokenCache for a few seconds, dropped at once on revocation.
   */
  async authenticate(token: string): Promise<Actor | null> {
    if (!token || token.length > 200 || LEGACY_DEMO_TOKEN.test(token)) return null;
    const hash = hashToken(token);
    const cached = this.cache?.get(hash);
    if (cached) return { ...cached };
    const epoch = this.cache?.begin() ?? 0;
    const rows = await queryPrepared<UserRow & { api_token_id: string | null; stale: boolean }>(this.db, USER_BY_TOKEN, [hash]);
    const u = rows[0];
    if (!u) return null;
    // A named token's last use, to the minute (docs/security.md §10); a cached lookup skips it (at most TOKEN_CACHE_SECONDS).
    if (u.api_token_id && u.stale) await this.db.query(`UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, [u.api_token_id]);
    const actor: Actor = { id: u.id, role: u.role, resellerId: u.reseller_id };
    this.cache?.set(hash, actor, epoch);
    return actor;
  }

  /**
   * Creates a user and returns its token once, and with `link` a one-time set-password link (the
   * reset mechanism: docs/security.md §8). The email is unique within the user's tenant only.
   */
  async createUser(
    input: { email: string; role: Role; resellerId?: string | null },
    token = newToken(),
    opts: { link?: boolean } = {},
  ): Promise<UserResponse> {
    const distributor = DISTRIBUTOR_ROLES.includes(input.role);
    if (distributor && input.resellerId) {
      throw identityError(IdentityErrorCode.RoleNeedsReseller, `role ${input.role} is distributor staff and takes no resellerId`);
    }
    if (!distributor && !input.resellerId) {
      throw identityError(IdentityErrorCode.RoleNeedsReseller, `role ${input.role} needs a resellerId`);
    }
    try {
      const rows: UserRow[] = await this.db.query(
        `INSERT INTO users (email, role, reseller_id, token_hash) VALUES (lower($1), $2, $3, $4)
         RETURNING id, email, role, reseller_id`,
        [input.email, input.role, input.resellerId ?? null, hashToken(token)],
      );
      const user = { ...toUserResponse(rows[0]), token };
      return opts.link ? { ...user, setPasswordLink: await this.auth.issueLink(user.id, user.email, 'set') } : user;
    } catch (e) {
      const code = (e as { code?: string }).code;
      // Emails are unique per tenant only (docs/security.md, "Account enumeration"): this never says
      // whether another reseller has a user with that email.
      if (code === '23505' && (e as { constraint?: string }).constraint === 'users_tenant_email_key') {
        const where = input.resellerId ? 'at this reseller' : 'among the distributor staff';
        throw identityError(IdentityErrorCode.EmailTaken, `a user with email ${input.email} already exists ${where}`);
      }
      if (code === '23503') throw identityError(IdentityErrorCode.UnknownReseller, `reseller ${input.resellerId} was not found`);
      throw e;
    }
  }

  async getUser(id: string): Promise<UserResponse | null> {
    const rows: UserRow[] = await this.db.query('SELECT id, email, role, reseller_id FROM users WHERE id = $1 AND active', [id]);
    return rows[0] ? toUserResponse(rows[0]) : null;
  }

  /** Users with their state (active, password set, second factor); all of them, or one reseller's. */
  async listUsers(resellerId: string | null): Promise<UserResponse[]> {
    const rows: UserRow[] = await this.db.query(
      `SELECT id, email, role, reseller_id, active, password_hash IS NOT NULL AS has_password, totp_enabled
         FROM users WHERE ($1::uuid IS NULL OR reseller_id = $1) ORDER BY created_at, email`,
      [resellerId],
    );
    return rows.map((u) => ({
      ...toUserResponse(u),
      active: u.active,
      hasPassword: u.has_password,
      totpEnabled: u.totp_enabled,
    }));
  }

  /**
   * PATCH /users/:id — another role of the same tenant kind, or (de)activation. A reseller admin
   * changes its own reseller's users only (others are 404); nobody changes their own user. A
   * deactivated user's sessions end and its API tokens are revoked (docs/security.md §10).
   */
  async updateUser(actor: Actor, id: string, patch: { role?: Role; active?: boolean }): Promise<UserResponse> {
    const [target]: UserRow[] = await this.db.query('SELECT id, email, role, reseller_id FROM users WHERE id = $1', [id]);
    if (!target || (actor.resellerId !== null && target.reseller_id !== actor.resellerId)) throw notFound(`User ${id}`);
    if (target.id === actor.id)
      throw identityError(IdentityErrorCode.CannotChangeSelf, 'You cannot change your own role or deactivate yourself');
    if (patch.role !== undefined) {
      const allowed = target.reseller_id === null ? DISTRIBUTOR_ROLES : RESELLER_ROLES;
      if (!allowed.includes(patch.role)) {
        throw validationError(`role must be one of ${allowed.join(', ')} for this user`, [
          { field: 'role', message: `one of ${allowed.join(', ')}` },
        ]);
      }
    }
    await this.db.transaction(async (em) => {
      await em.query(`UPDATE users SET role = coalesce($2, role), active = coalesce($3, active) WHERE id = $1`, [
        id,
        patch.role ?? null,
        patch.active ?? null,
      ]);
      if (patch.active === false) await em.query(`DELETE FROM sessions WHERE user_id = $1`, [id]);
      if (patch.active === false)
        await em.query(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [id]);
    });
    // What the user's tokens may do changed: this instance forgets them at once, the others on notification.
    const tokens: Array<{ token_hash: string | null }> = await this.db.query(
      `SELECT token_hash FROM users WHERE id = $1 UNION ALL SELECT token_hash FROM api_tokens WHERE user_id = $1`,
      [id],
    );
    this.cache?.revoked(tokens.flatMap((t) => (t.token_hash ? [t.token_hash] : [])));
    const [u] = (await this.listUsers(target.reseller_id)).filter((x) => x.id === id);
    return u;
  }

  /** BOOTSTRAP_ADMIN_TOKEN: make sure an admin with that token exists. Safe when run concurrently. */
  async ensureBootstrapAdmin(token: string): Promise<void> {
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO users (email, role, reseller_id, token_hash)
       VALUES ('bootstrap-admin@disty.local', 'admin', NULL, $1)
       ON CONFLICT ON CONSTRAINT users_tenant_email_key DO UPDATE SET token_hash = EXCLUDED.token_hash, active = true, role = 'admin'
       RETURNING id`,
      [hashToken(token)],
    );
    if (inserted.length) this.logger.log('bootstrap admin token is active');
  }
}

export function toUserResponse(u: UserRow): UserResponse {
  return { id: u.id, email: u.email, role: u.role, resellerId: u.reseller_id };
}
