import { preparedStatement, Role } from '#disty/core';

// Identity's SQL: statements and row types (users).

export const USER_BY_TOKEN = preparedStatement(
  'identity.user-by-token',
  'SELECT id, email, role, reseller_id FROM users WHERE token_hash = $1 AND active',
);

export interface UserRow {
  id: string;
  email: string;
  role: Role;
  reseller_id: string | null;
}
