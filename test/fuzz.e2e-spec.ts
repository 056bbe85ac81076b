import fc from 'fast-check';
import type { TestApp } from './support/app';
import { tableChecksums } from './support/checksums';
import { createOwnDatabase } from './support/own-database';

/**
 * Every operation of the OpenAPI document (/docs-json), fed fast-check generated bodies, query
 * strings and path ids: wrong types, huge strings, negative and fractional numbers, money with too
 * many decimals, exponents, unicode, null, nested junk. Every answer is < 500, every 4xx is
 * problem+json, and a 4xx changes no row (whole-database checksum before and after).
 */
// 12 runs per operation in `npm test` (about 200 operations; a write is checksummed before and, when refused, after); FUZZ_RUNS=50
// for a deeper search.
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SKIP = [/^\/api\/v1\/webhooks\/stripe$/];
/**
 * The one refusal that writes by design: a failed sign-in is counted, per address and per account,
 * so that repeated guesses lock out (docs/security.md §7). Any other table changing is a failure.
 */
const RECORDED_ON_REFUSAL: Record<string, string[]> = { 'POST /api/v1/auth/sign-in': ['sign_in_failures', 'users'] };

type Schema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  example?: unknown;
  format?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
type Operation = {
  parameters?: Array<{ name: string; in: string; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};

const nasty = fc.constantFrom<unknown>(
  null,
  '',
  ' ',
  '-1',
  '0',
  '-0',
  '1.5',
  '1e5',
  '1E-7',
  '12.34567',
  '99999999999999999999999',
  'NaN',
  'Infinity',
  '-Infinity',
  '０',
  '９',
  '💥',
  'Ā̴̧',
  '\u0000',
  '\u202e',
  '../../etc/passwd',
  "' OR 1=1 --",
  '2026-02-30',
  '2026-13-01',
  '0000-00-00',
  '00000000-0000-0000-0000-000000000000',
  'x'.repeat(10_000),
  -1,
  0,
  1.5,
  -0.01,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  true,
  false,
  [],
  {},
  [[[]]],
  { a: { b: { c: [1, null] } } },
  { __proto__: { polluted: true } },
  { constructor: { prototype: {} } },
);
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

function resolve(doc: { components?: { schemas?: Record<string, Schema> } }, s: Schema | undefined, depth = 0): Schema {
  if (!s || depth > 8) return {};
  if (s.$ref) return resolve(doc, doc.components?.schemas?.[s.$ref.split('/').pop()!], depth + 1);
  const composite = s.allOf ?? s.oneOf ?? s.anyOf;
  if (composite?.length) return resolve(doc, composite[0], depth + 1);
  return s;
}

/** Values that pass validation where the schema says enough (examples, enums, formats). */
function plausibleFor(doc: Parameters<typeof resolve>[0], raw: Schema | undefined, known: string[], depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, raw);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  if (s.type === 'object' || s.properties) {
    const props = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, plausibleFor(doc, v, known, depth + 1)]));
    return fc.record(props);
  }
  if (s.type === 'array')
    return fc.array(depth > 3 ? fc.constant({}) : plausibleFor(doc, s.items, known, depth + 1), {
      minLength: 1,
      maxLength: 3,
    });
  if (s.type === 'integer' || s.type === 'number') return fc.integer({ min: 1, max: 20 });
  if (s.type === 'boolean') return fc.boolean();
  if (s.format === 'uuid') return known.length ? fc.constantFrom(...known) : fc.uuid();
  if (s.example !== undefined) return fc.constant(s.example);
  return fc.constantFrom('100.00', '2026-11-25', 'AUD', 'HARDWARE', 'x');
}

function valueFor(doc: Parameters<typeof resolve>[0], raw: Schema | undefined, known: string[], depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, raw);
  let plausible: fc.Arbitrary<unknown>;
  if (s.enum?.length) plausible = fc.constantFrom(...s.enum);
  else if (s.type === 'object' || s.properties) {
    const props = Object.fromEntries(
      Object.entries(s.properties ?? {}).map(([k, v]) => [k, depth > 3 ? junk : valueFor(doc, v, known, depth + 1)]),
    );
    plausible = fc.record(props, { requiredKeys: [] });
  } else if (s.type === 'array') plausible = fc.array(depth > 3 ? junk : valueFor(doc, s.items, known, depth + 1), { maxLength: 3 });
  else if (s.type === 'integer' || s.type === 'number') plausible = fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constantFrom(0.5, -1));
  else if (s.type === 'boolean') plausible = fc.boolean();
  else if (s.format === 'date' || /date/i.test(String(s.example ?? ''))) plausible = fc.constantFrom('2026-11-25', '2027-02-28');
  else
    plausible = fc.oneof(
      s.example !== undefined ? fc.constant(s.example) : fc.string({ maxLength: 12 }),
      fc.constantFrom('100.00', '0.01', '1.005', '-5.00', 'AUD', 'HARDWARE', 'CLOUD', '2026-11-25'),
      ...(known.length ? [fc.constantFrom(...known)] : []),
    );
  return fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 1, arbitrary: junk });
}

describe('Fuzzing every operation of the OpenAPI document', () => {
  let t: TestApp;
  let drop: () => Promise<void>;
  let tokens: string[];
  const known: string[] = [];
  let doc: {
    paths: Record<string, Record<string, Operation>>;
    components?: { schemas?: Record<string, Schema> };
  };

  beforeAll(async () => {
    const db = await createOwnDatabase('fuzz');
    drop = db.drop;
    process.env.DATABASE_URL = db.url; // before the app module is loaded
    const { createTestApp, ADMIN_TOKEN } = await import('./support/app.js');
    t = await createTestApp();
    const finance = await t.user('finance');
    const { createProduct, createReseller } = await import('./factories/commerce.js');
    const reseller = await createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const hw = await createProduct(t);
    const cl = await createProduct(t, { kind: 'CLOUD' });
    const order = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', buyer.auth)
      .send({
        endCustomer: { name: 'Fuzz Co' },
        lines: [
          { sku: hw.sku, quantity: 1 },
          { sku: cl.sku, quantity: 2 },
        ],
      })
      .expect(201);
    tokens = [`Bearer ${ADMIN_TOKEN}`, finance.auth, buyer.auth];
    for (const role of ['reseller_admin', 'sales', 'reseller_finance'] as const) tokens.push((await t.user(role, reseller.id)).auth);
    known.push(reseller.id, order.body.id, order.body.lines[0].id, order.body.lines[1].subscriptionId, hw.sku, cl.sku, 'HARDWARE', 'CLOUD');
    doc = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  const checksum = () => tableChecksums((sql) => t.db.query(sql));
  /** Work accepted with 202 goes on in the background: wait for it before comparing checksums. */
  const settle = async (statusUrl: string, token: string) => {
    for (let i = 0; i < 600; i++) {
      const r = await t.http().get(statusUrl).set('Authorization', token);
      if (r.status !== 200 || r.body.status !== 'RUNNING') return;
      await new Promise((done) => setTimeout(done, 50));
    }
  };

  it('answers every generated request below 500, problem+json on 4xx, changing nothing on 4xx', async () => {
    const failures: string[] = [];
    let requests = 0;
    const statuses: Record<number, number> = {};
    const succeeded = new Set<string>();
    /** The database after the last request, when that was a refused write (nothing ran since). */
    let refusedState: Record<string, string> | null = null;
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (SKIP.some((r) => r.test(path))) continue;
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const params = op.parameters ?? [];
        const pathParams = params.filter((p) => p.in === 'path');
        const queryParams = params.filter((p) => p.in === 'query');
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        const arb = fc.record({
          path: fc.record(
            Object.fromEntries(
              pathParams.map((p) => [p.name, fc.oneof(fc.uuid(), junk, valueFor(doc, p.schema, known), fc.constantFrom(...known))]),
            ),
          ),
          query: fc.record(Object.fromEntries(queryParams.map((p) => [p.name, valueFor(doc, p.schema, known)])), { requiredKeys: [] }),
          extraQuery: fc.option(
            fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), {
              maxKeys: 2,
            }),
          ),
          body: bodySchema
            ? fc.oneof(
                { weight: 2, arbitrary: plausibleFor(doc, bodySchema, known) },
                { weight: 4, arbitrary: valueFor(doc, bodySchema, known) },
                { weight: 1, arbitrary: junk },
              )
            : fc.constant(undefined),
          token: fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(tokens[0], tokens[1]) },
            { weight: 3, arbitrary: fc.constantFrom(...tokens.slice(2)) },
          ),
        });
        await fc.assert(
          fc.asyncProperty(arb, async (c) => {
            let url = path;
            for (const [k, v] of Object.entries(c.path)) url = url.replace(`{${k}}`, encodeURIComponent(String(v)));
            const query: Record<string, string> = {};
            for (const [k, v] of Object.entries({ ...c.query, ...(c.extraQuery ?? {}) })) {
              if (v !== undefined) query[k] = typeof v === 'string' ? v : JSON.stringify(v);
            }
            const mutating = method !== 'get';
            // A refused write leaves the database as the previous checksum found it: that is this one's "before".
            const before = mutating ? (refusedState ?? (await checksum())) : null;
            refusedState = null;
            let req = (t.http() as unknown as Record<string, (u: string) => import('supertest').Test>)
              [method](url)
              .set('Authorization', c.token)
              .query(query);
            if (c.body !== undefined) req = req.set('Content-Type', 'application/json').send(JSON.stringify(c.body));
            const res = await req;
            requests++;
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            if (res.status < 300 && method !== 'get') succeeded.add(`${method.toUpperCase()} ${path}`);
            if (res.status === 202 && res.body?.id) await settle(`${url}/${res.body.id}`, c.token);
            const label = `${method.toUpperCase()} ${url} ${JSON.stringify(query).slice(0, 200)} ${JSON.stringify(c.body)?.slice(0, 300)} → ${res.status}`;
            if (res.status >= 500) failures.push(`${label} ${JSON.stringify(res.body).slice(0, 300)}`);
            if (res.status >= 400 && !/application\/problem\+json/.test(String(res.headers['content-type']))) {
              failures.push(`${label}: 4xx without problem+json (${res.headers['content-type']})`);
            }
            if (before && res.status >= 400) {
              const after = await checksum();
              const recorded = res.status === 401 ? (RECORDED_ON_REFUSAL[`${method.toUpperCase()} ${path}`] ?? []) : [];
              const changed = Object.keys(after).filter((k) => after[k] !== before[k] && !recorded.includes(k));
              if (changed.length) failures.push(`${label}: a ${res.status} changed ${changed.join(', ')}`);
              refusedState = after;
            }
          }),
          { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261125) },
        );
      }
    }
    if (process.env.FUZZ_VERBOSE) console.log(`fuzz: ${requests} requests`, statuses, [...succeeded]);
    expect(requests).toBeGreaterThan(0);
    // The generator reaches past validation too: some requests succeed.
    expect(Object.keys(statuses).some((code) => Number(code) === 201)).toBe(true);
    expect(failures).toEqual([]);
    // Every operation of the API, RUNS times each, with a checksum of the database around each write:
    // it grows with the API, so it has a budget of its own rather than the suite's 120 s.
  }, 900_000);
});
