import 'reflect-metadata';
import { startStack } from './stack/stack';

/**
 * `npm run stack [-- --instances N] [--no-replica]`: HAProxy over N API instances (default 3),
 * pgbouncer in transaction mode, PostgreSQL 18 with a streaming replica for the read-only reports
 * (unless --no-replica) and the local Redis, until Ctrl-C (docs/operations.md §15).
 * Run through scripts/stack.sh, which installs haproxy and pgbouncer and builds the API first.
 */
async function main(): Promise<void> {
  const at = process.argv.indexOf('--instances');
  const instances = at > 0 ? Number(process.argv[at + 1]) : 3;
  if (!Number.isInteger(instances) || instances < 1 || instances > 16) {
    console.error('--instances must be a whole number from 1 to 16');
    process.exit(64);
  }
  const say = (l: string) => process.stdout.write(`[stack] ${l}\n`);
  const stack = await startStack({ instances, replica: !process.argv.includes('--no-replica'), log: say });
  if (stack.readUrl) say(`reports read the replica: DATABASE_READ_URL=${stack.readUrl}`);
  say(`ready: ${stack.proxyUrl}/api/v1 (admin token ${stack.adminToken}); metrics per instance need METRICS_PORT`);
  say('Ctrl-C stops it');
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((e: Error) => {
  console.error(`stack: ${e.message}`);
  process.exit(1);
});
