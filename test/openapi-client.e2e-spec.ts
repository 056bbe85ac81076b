import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { AddressInfo } from 'net';
import createClient from 'openapi-fetch';
import type { components, paths } from '../apps/portal/src/contract/schema';
import { OPENAPI_JSON } from '../scripts/openapi';
import { createTestApp, TestApp } from './support/app';
import { contractValidator } from './support/contract-schema';
import { createProduct, createReseller } from './factories/commerce';

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
};
type Response = { $ref?: string; description?: string; content?: Record<string, { schema?: Schema }> };
type Parameter = { name: string; in: string; required?: boolean };
type Operation = {
  operationId: string;
  summary?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: unknown;
  responses: Record<string, Response>;
  security?: Array<Record<string, string[]>>;
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, Response>;
    securitySchemes: Record<string, Record<string, string>>;
  };
};

const doc = JSON.parse(readFileSync(OPENAPI_JSON, 'utf8')) as Doc;
const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
);
const conforms = contractValidator(doc as never);
const resolve = (r: Response): Response => (r.$ref ? doc.components.responses[r.$ref.split('/').pop()!] : r);

/** Type-level: true only when A and B are the same type (checked by `tsc -p tsconfig.json`, part of `npm test`). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

/**
 * The API contract as clients generate from it (docs/api-conventions.md §10): the committed document
 * (test/openapi-contract.e2e-spec.ts proves it is the one the controllers describe), and a client
 * generated from it (openapi-fetch over the portal's schema.d.ts) talking to the running API.
 */
describe('API contract: a document clients can generate from', () => {
  it('has a summary, a tag and a unique camelCase operationId (verb + noun) on every operation', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(operations.length).toBeGreaterThanOrEqual(115);
    expect(ids.filter((id) => !/^[a-z][A-Za-z0-9]+$/.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(operations.filter(({ op }) => !op.summary?.trim() || op.tags?.length !== 1).map(({ key }) => key)).toEqual([]);
    expect(doc.paths['/api/v1/orders'].post.operationId).toBe('placeOrder');
    expect(doc.paths['/api/v1/invoices/{id}/pdf'].get.operationId).toBe('downloadInvoicePdf');
  });

  it('types every success: a schema for each media type it is served in, or 204 without a body', () => {
    const untyped = operations.filter(({ op }) => {
      const ok = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      return (
        ok.length === 0 || ok.some(([status, r]) => status !== '204' && (!r.content || Object.values(r.content).some((m) => !m.schema)))
      );
    });
    expect(untyped.map(({ key }) => key)).toEqual([]);
    // PDF is binary, CSV text, lists are pages.
    expect(doc.paths['/api/v1/invoices/{id}/pdf'].get.responses['200'].content).toEqual({
      'application/pdf': { schema: { type: 'string', format: 'binary' } },
    });
    expect(doc.paths['/api/v1/exports/journal'].get.responses['200'].content!['text/csv'].schema!.type).toBe('string');
    expect(Object.keys(doc.paths['/api/v1/resellers/{id}/statement'].get.responses['200'].content!).sort()).toEqual([
      'application/json',
      'application/pdf',
      'text/csv',
    ]);
    expect(doc.paths['/api/v1/orders'].get.responses['200'].content!['application/json'].schema).toEqual({
      $ref: '#/components/schemas/OrderPage',
    });
    expect(Object.keys(doc.paths['/api/v1/billing-runs'].post.responses).filter((s) => s.startsWith('2'))).toEqual(['202']);
    expect(Object.keys(doc.paths['/api/v1/webhooks/{id}'].delete.responses).filter((s) => s.startsWith('2'))).toEqual(['204']);
  });

  it('describes every paged list (page and pageSize parameters) as items, total, page and pageSize, as page() answers', () => {
    const paged = operations.filter(({ op }) => op.parameters?.some((p) => p.in === 'query' && p.name === 'pageSize'));
    expect(paged.length).toBeGreaterThanOrEqual(15);
    const notPages = paged.filter(({ op }) => {
      const schema = op.responses['200'].content!['application/json'].schema!;
      const refs = schema.anyOf ?? [schema];
      return refs.some((r) => {
        const page = doc.components.schemas[r.$ref!.split('/').pop()!];
        return !['items', 'total', 'page', 'pageSize'].every((k) => page.required?.includes(k)) || page.properties!.items.type !== 'array';
      });
    });
    expect(notPages.map(({ key }) => key)).toEqual([]);
  });

  it('gives each schema one class: no two Swagger-described classes share a name (the document would keep one)', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : [],
      );
    const root = join(__dirname, '..');
    const declared = new Map<string, string[]>();
    for (const file of [...sources(join(root, 'libs')), ...sources(join(root, 'apps', 'api'))]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^(?:export )?class (\w+)/gm))
        declared.set(m[1], [...(declared.get(m[1]) ?? []), file.slice(root.length + 1)]);
    }
    const twice = Object.keys(doc.components.schemas).filter((name) => (declared.get(name)?.length ?? 0) > 1);
    expect(twice.map((name) => `${name}: ${declared.get(name)!.join(', ')}`)).toEqual([]);
  });

  it('answers every 4xx and 5xx as application/problem+json with the ProblemDetails schema', () => {
    const bad: string[] = [];
    for (const { key, op } of operations) {
      for (const [status, r] of Object.entries(op.responses)) {
        if (!/^[45]/.test(status) || key.startsWith('GET /health')) continue; // the health routes' 503 is the health report itself
        const content = resolve(r).content ?? {};
        if (
          JSON.stringify(content) !==
          JSON.stringify({
            'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } },
          })
        )
          bad.push(`${key} ${status}`);
      }
      if (!Object.keys(op.responses).some((s) => s.startsWith('4')) && !key.startsWith('GET /health')) bad.push(`${key}: no 4xx`);
    }
    expect(bad).toEqual([]);
    const problem = doc.components.schemas.ProblemDetails;
    expect(problem.required).toEqual(['type', 'title', 'status', 'detail']);
    expect(Object.keys(problem.properties!)).toEqual(['type', 'title', 'status', 'detail', 'instance', 'errors']);
    // What the operation and its service can refuse with: a body or query (400), a path id (404),
    // an Idempotency-Key (409), a business rule (422).
    expect(Object.keys(doc.paths['/api/v1/orders'].post.responses)).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
      '429',
      '500',
    ]);
    expect(Object.keys(doc.paths['/api/v1/invoices/{id}/payment-intents'].post.responses)).toContain('503');
  });

  it('declares security: [] on the public routes only, and the opaque bearer token elsewhere', () => {
    const open = operations.filter(({ op }) => op.security?.length === 0).map(({ key }) => key);
    expect(open.sort()).toEqual([
      'GET /api/v1/config/public',
      'GET /health',
      'GET /health/live',
      'GET /health/ready',
      // Sign-in (docs/security.md §6–§8): the routes that make or end a session.
      'POST /api/v1/auth/password-reset',
      'POST /api/v1/auth/password-reset/confirm',
      'POST /api/v1/auth/sign-in',
      'POST /api/v1/auth/sign-out',
      'POST /api/v1/webhooks/stripe',
    ]);
    const secured = operations.filter(({ op }) => op.security?.length !== 0);
    expect(
      secured.filter(({ op }) => JSON.stringify(op.security) !== '[{"bearer":[]}]' || !op.responses['401']).map(({ key }) => key),
    ).toEqual([]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque',
    });
  });

  it('documents the Idempotency-Key header on exactly the POSTs that honour it (docs/api-conventions.md §5)', () => {
    const withKey = operations
      .filter(({ op }) => op.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'))
      .map(({ key }) => key);
    expect(withKey.sort()).toEqual(
      [
        '/orders',
        '/payments',
        '/payments/{id}/allocations',
        '/invoices/{id}/credit-notes',
        '/invoices/{id}/write-off',
        '/refunds',
        '/billing-runs',
        '/ledger/entries',
        '/ledger/entries/{id}/reverse',
        '/vendor-bills',
        '/vendor-bills/{id}/payments',
        '/collections',
        '/settlements',
      ]
        .map((p) => `POST /api/v1${p}`)
        .sort(),
    );
  });
});

describe('API contract: the generated client against the running API', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it('placeOrder answers a typed order (OrderView) through openapi-fetch, exactly as the document describes it', async () => {
    const reseller = await createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const hw = await createProduct(t, { prices: [{ currency: 'AUD', unitPrice: '100.00' }] });
    const cloud = await createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '10.00' }],
    });
    const client = createClient<paths>({ baseUrl, headers: { Authorization: buyer.auth } });

    const { data, error, response } = await client.POST('/api/v1/orders', {
      params: { header: { 'Idempotency-Key': `contract-${reseller.id}` } },
      body: {
        endCustomer: { name: 'Acme Dental' },
        lines: [
          { sku: hw.sku, quantity: 2 },
          { sku: cloud.sku, quantity: 3 },
        ],
      },
    });
    assertType<Equals<typeof data, components['schemas']['OrderView'] | undefined>>();
    expect(error).toBeUndefined();
    expect(response.status).toBe(201);
    expect(data).toMatchObject({
      resellerId: reseller.id,
      status: 'PLACED',
      currency: 'AUD',
      endCustomer: { name: 'Acme Dental' },
    });
    expect(data!.lines).toEqual([
      expect.objectContaining({ sku: hw.sku, quantity: 2, status: 'PENDING' }),
      expect.objectContaining({ sku: cloud.sku, quantity: 3, subscriptionId: expect.any(String) }),
    ]);
    expect(data!.totals.HARDWARE).toEqual({ net: '200.00', tax: '20.00', gross: '220.00' });
    // Every field the API sent is one the contract names, with its type; none it requires is missing.
    expect(conforms('POST', '/api/v1/orders', 201, data)).toEqual([]);

    // The same order, the orders page, and the subscription it provisioned, read back through the client.
    const read = await client.GET('/api/v1/orders/{id}', { params: { path: { id: data!.id } } });
    expect(read.data!.id).toBe(data!.id);
    expect(conforms('GET', '/api/v1/orders/{id}', 200, read.data)).toEqual([]);
    const list = await client.GET('/api/v1/orders', { params: { query: { page: 1, pageSize: 10 } } });
    expect(list.data).toMatchObject({ total: 1, page: 1, pageSize: 10, items: [{ id: data!.id }] });
    expect(conforms('GET', '/api/v1/orders', 200, list.data)).toEqual([]);
    const sub = await client.GET('/api/v1/subscriptions/{id}', {
      params: { path: { id: data!.lines[1].subscriptionId! } },
    });
    expect(sub.data!.endCustomer).toMatchObject({ name: 'Acme Dental' });
    expect(conforms('GET', '/api/v1/subscriptions/{id}', 200, sub.data)).toEqual([]);
    const me = await client.GET('/api/v1/me');
    expect(conforms('GET', '/api/v1/me', 200, me.data)).toEqual([]);
    const lines = await client.GET('/api/v1/resellers/{id}/credit-lines', {
      params: { path: { id: reseller.id } },
    });
    expect(conforms('GET', '/api/v1/resellers/{id}/credit-lines', 200, lines.data)).toEqual([]);
  });

  it('a refused call comes back as the ProblemDetails the contract describes', async () => {
    const reseller = await createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const client = createClient<paths>({ baseUrl, headers: { Authorization: buyer.auth } });

    const { data, error, response } = await client.POST('/api/v1/orders', {
      body: { endCustomer: { name: 'Acme Dental' }, lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = error as components['schemas']['ProblemDetails'];
    expect(problem).toMatchObject({ type: 'https://disty.dev/problems/unknown-product', status: 422 });
    expect(conforms('POST', '/api/v1/orders', 422, problem, 'application/problem+json')).toEqual([]);

    const invalid = await client.POST('/api/v1/orders', {
      body: { endCustomer: { name: 'Acme Dental' }, lines: [{ sku: 'X', quantity: 0 }] },
    });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error).toMatchObject({
      type: 'https://disty.dev/problems/validation',
      status: 400,
      errors: [expect.objectContaining({ field: 'lines.0.quantity' })],
    });
    expect(conforms('POST', '/api/v1/orders', 400, invalid.error, 'application/problem+json')).toEqual([]);

    const anonymous = await createClient<paths>({ baseUrl }).GET('/api/v1/orders');
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.error).toMatchObject({
      type: 'https://disty.dev/problems/unauthenticated',
      status: 401,
    });
  });
});
