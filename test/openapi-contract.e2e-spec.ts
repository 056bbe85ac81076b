import { readFileSync } from 'fs';
import { OPENAPI_JSON, openApiJson, SCHEMA_TS, schemaHeader } from '../scripts/openapi';
import { createTestApp } from './support/app';

type Doc = { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };

/** Paths and schemas that differ between two OpenAPI documents: what a stale contract file misses. */
function changed(committed: Doc, fresh: Doc): string[] {
  const diff = (kind: string, a: Record<string, unknown>, b: Record<string, unknown>) =>
    [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
      .map((k) => `${kind} ${k}`);
  return [...diff('path', committed.paths, fresh.paths), ...diff('schema', committed.components.schemas, fresh.components.schemas)];
}

/**
 * The portal's types come from the API contract (README.md, "Web portal"): apps/portal/src/contract holds
 * the OpenAPI document and the types generated from it. Both are committed; `npm run openapi`
 * rewrites them. These tests fail when a controller or DTO changed and they were not regenerated.
 */
describe('API contract: the committed OpenAPI document and the portal types', () => {
  const committed = readFileSync(OPENAPI_JSON, 'utf8');

  it('the committed openapi.json is the document the controllers and DTOs describe now', async () => {
    const fresh = await openApiJson();
    const stale = changed(JSON.parse(committed) as Doc, JSON.parse(fresh) as Doc);
    expect({ stale, fix: 'npm run openapi' }).toEqual({ stale: [], fix: 'npm run openapi' });
    expect(fresh).toBe(committed);
  });

  it('schema.d.ts was generated from the committed openapi.json', () => {
    const firstLine = readFileSync(SCHEMA_TS, 'utf8').split('\n')[0];
    expect({ firstLine, fix: 'npm run openapi' }).toEqual({
      firstLine: schemaHeader(committed),
      fix: 'npm run openapi',
    });
  });

  it('the running API serves the committed document at /docs-json', async () => {
    const t = await createTestApp();
    try {
      const res = await t.http().get('/docs-json').expect(200);
      expect(res.body).toEqual(JSON.parse(committed));
    } finally {
      await t.close();
    }
  });
});
