import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { freePort, RunningPostgres, startEmbeddedPostgres } from '#disty/core';

/**
 * README commands while `npm start` runs (docs/operations.md, "Running"): a second start on the
 * same embedded data folder, while the process that runs its server is alive, shares that server
 * (it says so) instead of failing or stopping it, and its stop leaves the server running.
 */
describe('Embedded PostgreSQL shared by a second process', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'disty-shared-pg-'));
  let first: RunningPostgres | undefined;
  afterAll(async () => {
    await first?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.log`, { force: true });
  });

  it('uses the running server and never stops it', async () => {
    const dataDir = path.join(dir, 'pg');
    first = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    const said: string[] = [];
    const second = await startEmbeddedPostgres({ dataDir, port: await freePort(), log: (l) => said.push(l) });
    expect(second.port).toBe(first.port);
    expect(said.join('\n')).toMatch(
      new RegExp(`using the embedded PostgreSQL that process ${process.pid} runs on 127\\.0\\.0\\.1:${first.port}`),
    );
    await second.stop();
    const c = new Client({ connectionString: first.url() });
    await c.connect();
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await c.end();
  });
});
