import request from 'supertest';
import { Role } from '#disty/core';
import { AuthService } from '#disty/identity';
import type { TestApp } from './app';

export interface PasswordUser {
  id: string;
  email: string;
  password: string;
  token: string;
  auth: string;
}

/** A user of `role` with a password set (through AuthService, under the policy) and its token. */
export async function userWithPassword(t: TestApp, role: Role, resellerId: string | null = null): Promise<PasswordUser> {
  const u = await t.user(role, resellerId);
  const [{ email }] = await t.db.query(`SELECT email FROM users WHERE id = $1`, [u.id]);
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  await t.get(AuthService).setPassword(u.id, email, password);
  return { ...u, email, password };
}

/** Signs in over HTTP with a cookie-keeping agent; answers the agent and the CSRF token. */
export async function signInAgent(t: TestApp, email: string, password: string, extra: Record<string, unknown> = {}) {
  const agent = request.agent(t.app.getHttpServer());
  const res = await agent
    .post('/api/v1/auth/sign-in')
    .set('X-Forwarded-For', ip())
    .send({ email, password, ...extra });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${JSON.stringify(res.body)}`);
  return { agent, csrf: res.body.csrfToken as string, res };
}

let ipSeq = 0;
/** A distinct client address per call (X-Forwarded-For; the app trusts the loopback proxy). */
export function ip(): string {
  ipSeq++;
  return `10.${process.pid % 250}.${Math.floor(ipSeq / 250) % 250}.${ipSeq % 250}`;
}
