import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import type { TestApp } from './support/app';

/**
 * The web portal's files, served by the API at `/` (docs/architecture.md, `portal/` in `apps/api`): its
 * assets, index.html for its client-side routes, and nothing of it under the API's own paths,
 * which never reach the file system (docs/performance.md §16).
 */
describe('The portal served by the API', () => {
  let t: TestApp;
  let dist: string;
  const saved = process.env.PORTAL_DIST;

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), 'disty-portal-'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Disty portal</title>');
    writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'assets', 'index-3f2a1b.js'), 'console.log("portal")');
    // Files named like the API's paths: were those paths looked up on disk, these would answer them.
    for (const p of ['api/v1/me', 'api/v1/no-such-thing', 'health/live', 'health/nope', 'metrics']) {
      mkdirSync(path.join(dist, path.dirname(p)), { recursive: true });
      writeFileSync(path.join(dist, p), 'a file, not the API');
    }
    process.env.PORTAL_DIST = dist;
    const { createTestApp } = await import('./support/app.js');
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    if (saved === undefined) delete process.env.PORTAL_DIST;
    else process.env.PORTAL_DIST = saved;
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / and for client-side routes, always revalidated', async () => {
    for (const url of ['/', '/orders', '/orders/8d1c5f1e-2d2a-4a53-9a57-0a0b7f4a1c11', '/invoices?status=open']) {
      const res = await t.http().get(url).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('<title>Disty portal</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable and other files as revalidated', async () => {
    const asset = await t.http().get('/assets/index-3f2a1b.js').expect(200);
    expect(asset.text).toBe('console.log("portal")');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await t.http().get('/favicon.svg').expect(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers the API paths from the API, never from a file of the same name', async () => {
    const me = await t.http().get('/api/v1/me').expect(401);
    expect(me.headers['content-type']).toMatch(/application\/problem\+json/);
    const live = await t.http().get('/health/live').expect(200);
    expect(live.text).not.toContain('a file, not the API');
    // Paths the API does not know are the API's 404 (problem+json), even where the portal's folder
    // has such a file, inside the API's prefix or not.
    for (const url of ['/api/v1/no-such-thing', '/health/nope', '/metrics', '/docs/nope']) {
      const res = await t.http().get(url).expect(404);
      expect({ url, type: res.headers['content-type'] }).toEqual({ url, type: expect.stringMatching(/^application\/problem\+json/) });
      expect(res.body).toMatchObject({ status: 404, detail: `No route for GET ${url}` });
    }
    const post = await t.http().post('/health').expect(404);
    expect(post.body).toMatchObject({ status: 404, detail: 'No route for POST /health' });
  });

  it('leaves a malformed JSON body on the API a 400, not a page', async () => {
    const res = await t.http().post('/api/v1/orders').set('Content-Type', 'application/json').send('{"lines": [').expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
