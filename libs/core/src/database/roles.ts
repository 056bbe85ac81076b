import { Client } from 'pg';

/**
 * The two database roles Disty runs with (docs/money-integrity.md, "The database protects itself"):
 * - the owner role owns the database, its schema and every table, function and sequence, and is
 *   the only one that runs migrations (DDL);
 * - the app role is the API's login: it owns nothing and has only the DML grants the migrations
 *   give it (no TRUNCATE, no DDL, no ALTER TABLE … DISABLE TRIGGER, no DELETE on the ledger).
 * Their names are fixed (the migrations grant to `disty_app` by name); passwords are the
 * deployer's (the embedded cluster uses the local-only password below).
 */
export const OWNER_ROLE = 'disty_owner';
export const APP_ROLE = 'disty_app';
const LOCAL_PASSWORD = 'disty';

export interface DatabaseUrls {
  /** The app role's URL: what the API, the seed, billing:run and ledger:verify connect with. */
  appUrl: string;
  /** The owner role's URL: what migrations run with. */
  ownerUrl: string;
}

function withCredentials(adminUrl: string, database: string, user: string, password: string): string {
  const u = new URL(adminUrl);
  u.username = user;
  u.password = password;
  u.pathname = `/${database}`;
  return u.toString();
}

async function ensureRole(c: Client, name: string, password: string): Promise<void> {
  const found = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  const pw = c.escapeLiteral(password);
  const ident = c.escapeIdentifier(name);
  if (found.rowCount) {
    await c.query(`ALTER ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD ${pw}`);
    return;
  }
  await c.query(`CREATE ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD ${pw}`);
}

/**
 * From a superuser connection (`adminUrl`, e.g. the embedded cluster's `postgres`): creates the
 * owner and app roles when missing, the database when missing, and makes the owner role own the
 * database and everything in its public schema (an older database migrated as the superuser is
 * handed over). Idempotent; safe to run on every start.
 */
export async function prepareDatabaseRoles(adminUrl: string, database: string, password: string = LOCAL_PASSWORD): Promise<DatabaseUrls> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Roles are cluster-wide: parallel preparations (test files) take turns, else ALTER ROLE may
    // fail with "tuple concurrently updated".
    await admin.query('BEGIN');
    try {
      await admin.query(`SELECT pg_advisory_xact_lock(hashtext('disty:roles'))`);
      await ensureRole(admin, OWNER_ROLE, password);
      await ensureRole(admin, APP_ROLE, password);
      await admin.query('COMMIT');
    } catch (e) {
      await admin.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!found.rowCount) {
      try {
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)} OWNER ${OWNER_ROLE}`);
      } catch (e) {
        if ((e as { code?: string }).code !== '42P04') throw e; // created concurrently
      }
    }
    await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(database)} OWNER TO ${OWNER_ROLE}`);
    await admin.query(`REVOKE ALL ON DATABASE ${admin.escapeIdentifier(database)} FROM PUBLIC`);
    await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${admin.escapeIdentifier(database)} TO ${APP_ROLE}`);
  } finally {
    await admin.end();
  }

  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${database}`;
  const inDb = new Client({ connectionString: dbUrl.toString() });
  await inDb.connect();
  try {
    await inDb.query(`ALTER SCHEMA public OWNER TO ${OWNER_ROLE}`);
    await inDb.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await inDb.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    // What the owner creates later is the app's to use (DML only), whoever runs the migration.
    await inDb.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER_ROLE} IN SCHEMA public
                      GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`);
    await inDb.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER_ROLE} IN SCHEMA public
                      GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`);
    // Hand over what an earlier version migrated as the superuser (relations, functions, types).
    const owned = await inDb.query<{ kind: string; name: string }>(
      `SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind,
              format('%I', c.relname) AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r','p','S','v','m')
          AND pg_get_userbyid(c.relowner) <> $1
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a','i')))
       UNION ALL
       SELECT 'FUNCTION', format('%I(%s)', p.proname, pg_get_function_identity_arguments(p.oid))
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> $1
       UNION ALL
       SELECT 'TYPE', format('%I', t.typname)
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e','d','c') AND pg_get_userbyid(t.typowner) <> $1
          AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')`,
      [OWNER_ROLE],
    );
    for (const o of owned.rows) await inDb.query(`ALTER ${o.kind} ${o.name} OWNER TO ${OWNER_ROLE}`);
  } finally {
    await inDb.end();
  }
  return {
    appUrl: withCredentials(adminUrl, database, APP_ROLE, password),
    ownerUrl: withCredentials(adminUrl, database, OWNER_ROLE, password),
  };
}

/**
 * A warning when the API's connection can bypass the database's own protections (a superuser, or
 * the owner of the tables: both can disable triggers and TRUNCATE); null when it is a plain role.
 */
export async function privilegedRoleWarning(appUrl: string): Promise<string | null> {
  const c = new Client({ connectionString: appUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ name: string; superuser: boolean; owns: number }>(
      `SELECT current_user AS name, r.rolsuper AS superuser,
              (SELECT count(*)::int FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace
                WHERE n.nspname = 'public' AND pg_has_role(current_user, k.relowner, 'USAGE')) AS owns
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const me = rows[0];
    if (!me || (!me.superuser && me.owns === 0)) return null;
    return (
      `the API connects as ${me.name}, ${me.superuser ? 'a superuser' : 'the owner of the tables'}: the database cannot protect ` +
      `the ledger from it. Connect as ${APP_ROLE} (DATABASE_URL) and migrate as ${OWNER_ROLE} (MIGRATION_DATABASE_URL); see README, "Database roles"`
    );
  } finally {
    await c.end();
  }
}
