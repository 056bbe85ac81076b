// Owns users (and their hashed tokens).
import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'crypto';
import { DataSource } from 'typeorm';
import { Actor, DISTRIBUTOR_ROLES, queryPrepared, Role } from '#disty/core';
import { identityError, IdentityErrorCode } from './errors';
import { UserResponse } from './dto/create-user.dto';
import { USER_BY_TOKEN, UserRow } from './identity.sql';
import { TokenCache } from './token-cache';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The fixed demo tokens of earlier versions (`demo_<who>_token`, e.g. `demo_admin_token`): never
 * valid, whatever a database holds (docs/security.md, "Demo credentials").
 */
export const LEGACY_DEMO_TOKEN = /^demo_[a-z0-9_]+_token$/;

export function newToken(): string {
  return `dst_${randomBytes(24).toString('base64url')}`;
}

@Injectable()
export class IdentityService {
  private readonly logger = new Logger(IdentityService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
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
    const rows = await queryPrepared<UserRow>(this.db, USER_BY_TOKEN, [hash]);
    const u = rows[0];
    if (!u) return null;
    const actor: Actor = { id: u.id, role: u.role, resellerId: u.reseller_id };
    this.cache?.set(hash, actor, epoch);
    return actor;
  }

  /** Creates a user and returns its token once. The email is unique within the user's tenant only. */
  async createUser(input: { email: string; role: Role; resellerId?: string | null }, token = newToken()): Promise<UserResponse> {
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
      return { ...toUserResponse(rows[0]), token };
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

  async listUsers(resellerId: string | null): Promise<UserResponse[]> {
    const rows: UserRow[] = await this.db.query(
      `SELECT id, email, role, reseller_id FROM users WHERE ($1::uuid IS NULL OR reseller_id = $1) ORDER BY created_at, email`,
      [resellerId],
    );
    return rows.map(toUserResponse);
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
