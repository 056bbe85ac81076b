import { preparedStatement, Role } from '#disty/core';

// Identity's SQL: statements and row types (users).

/** A user's own token (given at creation), or one of its named API tokens not revoked (docs/security.md §10). */
export const USER_BY_TOKEN = preparedStatement(
  'identity.user-by-token',
  `SELECT id, email, role, reseller_id, NULL::uuid AS api_token_id, false AS stale FROM users WHERE token_hash = $1 AND active
   UNION ALL
   SELECT u.id, u.email, u.role, u.reseller_id, t.id, coalesce(t.last_used_at < now() - interval '1 minute', true)
     FROM api_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active
   LIMIT 1`,
);

export interface UserRow {
  id: string;
  email: string;
  role: Role;
  reseller_id: string | null;
  active?: boolean;
  has_password?: boolean;
  totp_enabled?: boolean;
}
