import { PasswordLinkOutbox } from '#disty/identity';
import { totpCode } from '../libs/identity/src/auth/totp';
import { createReseller } from './factories/commerce';
import { ADMIN_TOKEN, bearer, createTestApp, TestApp } from './support/app';
import { ip, signInAgent, userWithPassword } from './support/sign-in';

/** Sign-in like a product (docs/security.md §6–§9): passwords, sessions, CSRF, lockout, reset links, TOTP. */
describe('Sign-in', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  const signIn = (body: object, from = ip()) => t.http().post('/api/v1/auth/sign-in').set('X-Forwarded-For', from).send(body);
  const tokenOf = (link: string) => new URL(link).hash.replace(/^#token=/, '');

  it('signs a new user in with the password set from the link the admin got; the cookie works in any tab, and with the bearer token too', async () => {
    const reseller = await createReseller(t);
    const email = `new.${Date.now()}@signin.example`;
    const created = await t
      .http()
      .post(`/api/v1/resellers/${reseller.id}/users`)
      .set(bearer(ADMIN_TOKEN))
      .send({ email, role: 'buyer' })
      .expect(201);
    expect(created.body.setPasswordLink).toMatch(/\/set-password#token=[\w-]{40,}$/);
    // Hashed at rest: the token appears nowhere in the database.
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM password_links WHERE token_hash = $1`, [
      tokenOf(created.body.setPasswordLink),
    ]);
    expect(n).toBe(0);
    await signIn({ email, password: 'whatever-it-is-12' }).expect(401); // no password yet
    await t
      .http()
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: tokenOf(created.body.setPasswordLink), password: 'a good long passphrase' })
      .expect(204);

    const res = await signIn({ email: email.toUpperCase(), password: 'a good long passphrase' }).expect(200);
    expect(res.body).toMatchObject({
      user: { id: created.body.id, email, role: 'buyer', resellerId: reseller.id },
      csrfToken: expect.any(String),
    });
    const cookies = res.headers['set-cookie'] as unknown as string[];
    const session = cookies.find((c) => c.startsWith('disty_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).not.toMatch(/Secure/); // Secure only with NODE_ENV=production
    expect(cookies.find((c) => c.startsWith('disty_csrf='))).not.toMatch(/HttpOnly/);
    // The session is stored as a hash only.
    const id = session.split(';')[0].split('=')[1];
    const stored = await t.db.query(`SELECT 1 FROM sessions WHERE id_hash = $1`, [id]);
    expect(stored).toHaveLength(0);
    // "A second tab": another request with the same cookie, no token anywhere.
    for (let tab = 0; tab < 2; tab++) {
      const me = await t.http().get('/api/v1/me').set('Cookie', `disty_session=${id}`).expect(200);
      expect(me.body).toMatchObject({ id: created.body.id, role: 'buyer' });
    }
    await t.http().get('/api/v1/me').set(bearer(created.body.token)).expect(200);
    await t.http().get('/api/v1/me').set('Cookie', 'disty_session=forged').expect(401);
  });

  it('refuses a cookie-authenticated unsafe request without the CSRF token; a bearer request needs none', async () => {
    const r = await createReseller(t);
    const u = await userWithPassword(t, 'reseller_admin', r.id);
    const { agent, csrf } = await signInAgent(t, u.email, u.password);
    const refused = await agent.post('/api/v1/me/tokens').send({ name: 'no csrf' }).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.type).toMatch(/csrf-token-invalid$/);
    await agent.post('/api/v1/me/tokens').set('X-CSRF-Token', 'wrong-token-of-some-length').send({ name: 'wrong csrf' }).expect(403);
    expect(await t.db.query(`SELECT 1 FROM api_tokens WHERE user_id = $1`, [u.id])).toHaveLength(0); // nothing changed
    await agent.post('/api/v1/me/tokens').set('X-CSRF-Token', csrf).send({ name: 'with csrf' }).expect(201);
    await t.http().post('/api/v1/me/tokens').set('Authorization', u.auth).send({ name: 'bearer' }).expect(201);
    await agent.get('/api/v1/me/tokens').expect(200); // safe methods need no token

    // Sign-out needs it too, then the session is gone (and its cookie cleared).
    await agent.post('/api/v1/auth/sign-out').expect(403);
    const out = await agent.post('/api/v1/auth/sign-out').set('X-CSRF-Token', csrf).expect(204);
    expect(String(out.headers['set-cookie'])).toMatch(/disty_session=;/);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`, [u.id]);
    expect(n).toBe(0);
  });

  it('ends a session after the idle time and after the absolute limit', async () => {
    const u = await userWithPassword(t, 'finance');
    const idle = await signInAgent(t, u.email, u.password);
    const max = await signInAgent(t, u.email, u.password);
    await idle.agent.get('/api/v1/me').expect(200);
    const sessions: Array<{ id_hash: string }> = await t.db.query(`SELECT id_hash FROM sessions WHERE user_id = $1 ORDER BY created_at`, [
      u.id,
    ]);
    expect(sessions).toHaveLength(2);
    await t.db.query(`UPDATE sessions SET last_seen_at = now() - interval '9 hours' WHERE id_hash = $1`, [sessions[0].id_hash]);
    await t.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1`, [sessions[1].id_hash]);
    await idle.agent.get('/api/v1/me').expect(401);
    await max.agent.get('/api/v1/me').expect(401);
  });

  it('answers an unknown email, a wrong password and a locked account alike; locks after 5 failures for 15 minutes', async () => {
    const u = await userWithPassword(t, 'finance');
    const from = ip();
    const unknown = await signIn({ email: `nobody.${Date.now()}@signin.example`, password: u.password }, from).expect(401);
    const wrong = await signIn({ email: u.email, password: 'not the password!' }, from).expect(401);
    expect(wrong.body).toEqual(unknown.body);
    for (let i = 0; i < 4; i++) await signIn({ email: u.email, password: `wrong-${i}-password` }, ip()).expect(401);
    // Five failures: the right password is now refused, with the same answer.
    const locked = await signIn({ email: u.email, password: u.password }, ip()).expect(401);
    expect(locked.body).toEqual(unknown.body);
    const [row] = await t.db.query(`SELECT locked_until > now() + interval '14 minutes' AS locked FROM users WHERE id = $1`, [u.id]);
    expect(row.locked).toBe(true);
    await t.db.query(`UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1`, [u.id]);
    await signIn({ email: u.email, password: u.password }).expect(200);
  });

  it('answers 429 to an address with too many failures, whatever email it names', async () => {
    const from = ip();
    for (let i = 0; i < 2; i++)
      await signIn({ email: `guess${i}.${Date.now()}@signin.example`, password: 'guessing-passwords' }, from).expect(401);
    // 28 more failures from that address within the window, written as sign-in writes them (argon2 makes 28 more calls slow).
    await t.db.query(`INSERT INTO sign_in_failures (ip) SELECT $1 FROM generate_series(1, 28)`, [from]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM sign_in_failures WHERE ip = $1`, [from]);
    expect(n).toBe(30);
    const u = await userWithPassword(t, 'finance');
    const res = await signIn({ email: u.email, password: u.password }, from).expect(429);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    await signIn({ email: u.email, password: u.password }, ip()).expect(200); // another address is not affected
  });

  it('resets a password with a one-time link: always 202, the link works once, sessions end', async () => {
    const u = await userWithPassword(t, 'finance');
    const outbox = t.get(PasswordLinkOutbox);
    const before = await signInAgent(t, u.email, u.password);
    const known = await t.http().post('/api/v1/auth/password-reset').send({ email: u.email }).expect(202);
    const unknown = await t
      .http()
      .post('/api/v1/auth/password-reset')
      .send({ email: `nobody.${Date.now()}@signin.example` })
      .expect(202);
    expect(known.body).toEqual(unknown.body);
    expect(known.text).toBe(unknown.text);
    const link = outbox.last(u.email)!;
    expect(link.purpose).toBe('reset');
    const token = tokenOf(link.url);
    const [stored] = await t.db.query(
      `SELECT expires_at < now() + interval '31 minutes' AS short FROM password_links l JOIN users u ON u.id = l.user_id WHERE u.id = $1 AND purpose = 'reset'`,
      [u.id],
    );
    expect(stored.short).toBe(true);

    // The policy: too short, or the email; the link is not used up by a refused password.
    const short = await t.http().post('/api/v1/auth/password-reset/confirm').send({ token, password: 'short-pw' }).expect(400);
    expect(short.body.errors[0].field).toBe('password');
    await t.http().post('/api/v1/auth/password-reset/confirm').send({ token, password: u.email }).expect(400);
    await t.http().post('/api/v1/auth/password-reset/confirm').send({ token, password: 'my new long passphrase' }).expect(204);
    const again = await t
      .http()
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token, password: 'another long passphrase' })
      .expect(422);
    expect(again.body.type).toMatch(/password-link-invalid$/);
    await before.agent.get('/api/v1/me').expect(401); // signed out everywhere
    await signIn({ email: u.email, password: u.password }).expect(401);
    await signIn({ email: u.email, password: 'my new long passphrase' }).expect(200);
    // An expired link is refused.
    await t.http().post('/api/v1/auth/password-reset').send({ email: u.email }).expect(202);
    const late = tokenOf(outbox.last(u.email)!.url);
    await t.db.query(`UPDATE password_links SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND used_at IS NULL`, [u.id]);
    await t.http().post('/api/v1/auth/password-reset/confirm').send({ token: late, password: 'too late a passphrase' }).expect(422);
  });

  it('asks for a TOTP code once two-factor sign-in is on, refuses a wrong or replayed code, and turns it off with a code', async () => {
    const u = await userWithPassword(t, 'reseller_admin', (await createReseller(t)).id);
    const { agent, csrf } = await signInAgent(t, u.email, u.password);
    expect((await agent.get('/api/v1/me/totp').expect(200)).body).toEqual({ enabled: false });
    const enrol = await agent.post('/api/v1/me/totp').set('X-CSRF-Token', csrf).expect(201);
    expect(enrol.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Disty:/);
    const secret = enrol.body.secret as string;
    const code = (offset: number) => totpCode(secret, offset);
    await agent
      .post('/api/v1/me/totp/confirm')
      .set('X-CSRF-Token', csrf)
      .send({ code: '000000' === code(-30) ? '111111' : '000000' })
      .expect(422);
    const enrolCode = code(-30);
    await agent.post('/api/v1/me/totp/confirm').set('X-CSRF-Token', csrf).send({ code: enrolCode }).expect(204);
    expect((await agent.get('/api/v1/me/totp').expect(200)).body).toEqual({ enabled: true });
    await agent.post('/api/v1/me/totp').set('X-CSRF-Token', csrf).expect(409);

    const asked = await signIn({ email: u.email, password: u.password }).expect(401);
    expect(asked.body.type).toMatch(/totp-required$/);
    const wrongPassword = await signIn({
      email: u.email,
      password: 'not the password!',
      totpCode: code(0),
    }).expect(401);
    expect(wrongPassword.body.type).toMatch(/unauthenticated$/);
    // The code that confirmed the set-up is used (or too old by now); the current one signs in once (steps only move forward).
    await signIn({ email: u.email, password: u.password, totpCode: enrolCode }).expect(401);
    const signInCode = code(0);
    await signIn({ email: u.email, password: u.password, totpCode: signInCode }).expect(200);
    await signIn({ email: u.email, password: u.password, totpCode: signInCode }).expect(401); // replayed

    await agent.post('/api/v1/me/totp/disable').set('X-CSRF-Token', csrf).send({ code: signInCode }).expect(422);
    await agent
      .post('/api/v1/me/totp/disable')
      .set('X-CSRF-Token', csrf)
      .send({ code: code(30) })
      .expect(204);
    await signIn({ email: u.email, password: u.password }).expect(200);
  });

  it('gives demo-style users a password that signs in, and refuses bad sign-in bodies with 400', async () => {
    await signIn({ email: 'x@y.example' }).expect(400);
    await signIn({ email: 'x@y.example', password: 12 }).expect(400);
    const u = await userWithPassword(t, 'buyer', (await createReseller(t)).id);
    const res = await signIn({ email: ` ${u.email} `, password: u.password }).expect(200);
    expect(res.body.user.role).toBe('buyer');
  });
});
