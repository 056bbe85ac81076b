import { tsNodeCommand } from './support/ts-node';
import { ChildProcess, spawn } from 'child_process';
import { createServer } from 'net';
import * as path from 'path';
import request from 'supertest';
import { validateEnvironment } from '#disty/core';
import { createOwnDatabase, OwnDatabase } from './support/own-database';

const ROOT = path.join(__dirname, '..');

/** The API's entry point (apps/api/src/main.ts) from TypeScript, as `npm start` runs its build, with `env` only. */
function startApi(env: Record<string, string>): {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
} {
  const api = tsNodeCommand('apps/api/src/main.ts');
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...api.env,
  };
  const child = spawn(process.execPath, api.argv, {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * Strict configuration and production's refusals (docs/security.md, "Configuration" and "Demo
 * credentials"): a wrong value stops start-up before anything else, naming the variable; in
 * production a default or short BOOTSTRAP_ADMIN_TOKEN and SEED_DEMO stop it; a production start
 * binds to HOST, loads no demo data and refuses the fixed demo tokens.
 */
describe('Safe defaults: strict configuration and production start-up', () => {
  it.each([
    ['JOBS_ENABLED', 'TRUE'],
    ['JOBS_ENABLED', 'yes'],
    ['DB_POOL_SIZE', 'abc'],
    ['DB_POOL_SIZE', '12abc'],
    ['EMBEDDED_PG_PORT', 'abc'],
    ['PORT', '3000x'],
    ['WEBHOOK_ALLOW_PRIVATE_URLS', 'True'],
    ['WEBHOOK_MAX_ATTEMPTS', 'eight'],
    ['SEED_DEMO', 'on'],
    ['THROTTLE_LIMIT', '1e3'],
    ['SUPPLIER_COUNTRY', 'au'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(new RegExp(`Invalid configuration — ${name}: ${name} must`));
  });

  it('accepts the documented forms and defaults', () => {
    const env = validateEnvironment({
      JOBS_ENABLED: 'false',
      DB_POOL_SIZE: '5',
      EMBEDDED_PG_PORT: '5555',
      WEBHOOK_BACKOFF_BASE_SECONDS: '0.5',
      SEED_DEMO: '1',
    });
    expect(env).toMatchObject({
      JOBS_ENABLED: false,
      DB_POOL_SIZE: 5,
      EMBEDDED_PG_PORT: 5555,
      WEBHOOK_BACKOFF_BASE_SECONDS: 0.5,
      SEED_DEMO: true,
    });
    expect(validateEnvironment({})).toMatchObject({
      HOST: '127.0.0.1',
      JOBS_ENABLED: true,
      DB_POOL_SIZE: 20,
      WEBHOOK_ALLOW_PRIVATE_URLS: false,
      SEED_DEMO: false,
    });
  });

  it('in production refuses a default or short BOOTSTRAP_ADMIN_TOKEN and SEED_DEMO', () => {
    for (const token of ['change-me-bootstrap-admin-token', 'test-bootstrap-admin-token', 'a'.repeat(31), `change-me-${'x'.repeat(40)}`]) {
      expect(() => validateEnvironment({ NODE_ENV: 'production', BOOTSTRAP_ADMIN_TOKEN: token })).toThrow(
        /BOOTSTRAP_ADMIN_TOKEN: with NODE_ENV=production it must be a random secret of at least 32 characters/,
      );
      expect(() => validateEnvironment({ NODE_ENV: 'development', BOOTSTRAP_ADMIN_TOKEN: token })).not.toThrow();
    }
    expect(() => validateEnvironment({ NODE_ENV: 'production', SEED_DEMO: 'true' })).toThrow(
      /SEED_DEMO: the demo data set .* never loaded with NODE_ENV=production/,
    );
    expect(() =>
      validateEnvironment({
        NODE_ENV: 'production',
        BOOTSTRAP_ADMIN_TOKEN: 'Qm9vdHN0cmFwIGFkbWluIHRva2VuIGZvciB0ZXN0cw',
      }),
    ).not.toThrow();
  });

  it('the API process exits non-zero at start-up on a wrong value, naming it, before touching a database', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ JOBS_ENABLED: 'TRUE' }, 'JOBS_ENABLED'],
      [{ EMBEDDED_PG_PORT: 'abc' }, 'EMBEDDED_PG_PORT'],
      [{ NODE_ENV: 'production', BOOTSTRAP_ADMIN_TOKEN: 'change-me-bootstrap-admin-token' }, 'BOOTSTRAP_ADMIN_TOKEN'],
    ];
    const runs = cases.map(([env]) => startApi(env));
    for (const [i, api] of runs.entries()) {
      expect(await api.exited).toBe(1);
      expect(api.out()).toMatch(new RegExp(`Invalid configuration — .*${cases[i][1]}: `));
      expect(api.out()).not.toMatch(/embedded PostgreSQL|listening/);
      expect(api.out()).not.toMatch(/\n\s+at /); // a message, not a stack trace
    }
  });

  describe('a production start', () => {
    let db: OwnDatabase;
    let api: ReturnType<typeof startApi> | undefined;
    afterAll(async () => {
      api?.child.kill('SIGTERM');
      await api?.exited;
      await db?.drop();
    });

    it('binds to HOST, loads no demo data, authenticates the bootstrap token and refuses the fixed demo tokens', async () => {
      db = await createOwnDatabase('prod');
      const port = await freePort();
      const token = 'prod-Qm9vdHN0cmFwIGFkbWluIHRva2VuIGZvciB0ZXN0cw';
      api = startApi({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: db.url,
        MIGRATION_DATABASE_URL: db.ownerUrl,
        BOOTSTRAP_ADMIN_TOKEN: token,
        JOBS_ENABLED: 'false',
        LOG_LEVEL: 'warn',
      });
      const started = Date.now();
      while (!/API listening/.test(api.out())) {
        if (Date.now() - started > 90_000 || api.child.exitCode !== null) throw new Error(`the API did not start:\n${api.out()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(api.out()).toContain(`API listening on http://127.0.0.1:${port}/api/v1 (bound to 127.0.0.1)`);
      expect(api.out()).not.toMatch(/demo (data|token)/);
      const http = () => request(`http://127.0.0.1:${port}`);
      await http().get('/health').expect(200);
      await http().get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
      for (const fixed of ['demo_admin_token', 'demo_finance_token', 'demo_harbour_buyer_token', 'change-me-bootstrap-admin-token']) {
        await http().get('/api/v1/me').set('Authorization', `Bearer ${fixed}`).expect(401);
      }
      const [{ n }] = await countUsers(db.url);
      expect(n).toBe(1); // the bootstrap admin only: no demo users
    });
  });
});

async function countUsers(url: string): Promise<Array<{ n: number }>> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT count(*)::int AS n FROM users')).rows;
  } finally {
    await c.end();
  }
}
