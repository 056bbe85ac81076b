// A user's own account: two-factor sign-in (TOTP) and named API tokens (docs/security.md §9, §10).
import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { notFound } from '#disty/core';
import { identityError, IdentityErrorCode } from '../errors';
import { TokenCache } from '../token-cache';
import { hashToken, newToken } from '../tokens';
import { ApiTokenCreatedView, ApiTokenView, TotpEnrolmentView } from './auth.dto';
import { newTotpSecret, totpStep, totpUrl } from './totp';

interface TotpRow {
  email: string;
  totp_secret: string | null;
  totp_enabled: boolean;
  totp_last_step: string | null;
}

interface TokenRow {
  id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toTokenView = (r: TokenRow): ApiTokenView => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

@Injectable()
export class AccountService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Optional() private readonly cache?: TokenCache,
  ) {}

  private async totpRow(userId: string): Promise<TotpRow> {
    const [row]: TotpRow[] = await this.db.query(
      `SELECT email, totp_secret, totp_enabled, totp_last_step FROM users WHERE id = $1 AND active`,
      [userId],
    );
    if (!row) throw notFound(`User ${userId}`);
    return row;
  }

  async totpEnabled(userId: string): Promise<boolean> {
    return (await this.totpRow(userId)).totp_enabled;
  }

  /** A new secret, shown once; sign-in asks for codes only once a code confirms it. */
  async startTotp(userId: string): Promise<TotpEnrolmentView> {
    const row = await this.totpRow(userId);
    if (row.totp_enabled) throw identityError(IdentityErrorCode.TotpState, 'Two-factor sign-in is already on; turn it off first');
    const secret = newTotpSecret();
    await this.db.query(`UPDATE users SET totp_secret = $2, totp_last_step = NULL WHERE id = $1`, [userId, secret]);
    return { secret, otpauthUrl: totpUrl(secret, row.email) };
  }

  async confirmTotp(userId: string, code: string): Promise<void> {
    const row = await this.totpRow(userId);
    if (row.totp_enabled || !row.totp_secret) throw identityError(IdentityErrorCode.TotpState, 'Start the set-up first (POST /me/totp)');
    const step = totpStep(row.totp_secret, code, null);
    if (step === null) throw identityError(IdentityErrorCode.TotpCodeInvalid, 'That code is not right; check the time on your device');
    await this.db.query(`UPDATE users SET totp_enabled = true, totp_last_step = $2 WHERE id = $1`, [userId, step]);
  }

  async disableTotp(userId: string, code: string): Promise<void> {
    const row = await this.totpRow(userId);
    if (!row.totp_enabled) throw identityError(IdentityErrorCode.TotpState, 'Two-factor sign-in is not on');
    const step = totpStep(row.totp_secret!, code, row.totp_last_step);
    if (step === null) throw identityError(IdentityErrorCode.TotpCodeInvalid, 'That code is not right (or was already used)');
    await this.db.query(`UPDATE users SET totp_enabled = false, totp_secret = NULL, totp_last_step = NULL WHERE id = $1`, [userId]);
  }

  async listTokens(userId: string): Promise<ApiTokenView[]> {
    const rows: TokenRow[] = await this.db.query(
      `SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id`,
      [userId],
    );
    return rows.map(toTokenView);
  }

  /** A named token acting as the user; returned this once, stored as a hash. */
  async createToken(userId: string, name: string): Promise<ApiTokenCreatedView> {
    const token = newToken();
    const [row]: TokenRow[] = await this.db.query(
      `INSERT INTO api_tokens (user_id, name, token_hash, created_by) VALUES ($1, $2, $3, $1)
       RETURNING id, name, created_at, last_used_at, revoked_at`,
      [userId, name.trim(), hashToken(token)],
    );
    return { ...toTokenView(row), token };
  }

  /** Another user's token is a 404, like an unknown one. */
  async revokeToken(userId: string, id: string): Promise<void> {
    const [rows]: [Array<{ token_hash: string }>, number] = await this.db.query(
      `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND user_id = $2 RETURNING token_hash`,
      [id, userId],
    );
    if (!rows.length) throw notFound(`API token ${id}`);
    this.cache?.revoked(rows.map((r) => r.token_hash));
  }
}
