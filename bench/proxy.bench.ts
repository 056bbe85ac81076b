import * as fs from 'fs';
import * as os from 'os';
import { startStack, Stack } from '../scripts/stack/stack';
import { BenchContext, BenchResult, processCpuMs } from './support';

const CONNECTIONS = 16;
const WARMUP_S = Number(process.env.BENCH_PROXY_WARMUP_S ?? 3);
const DURATION_S = Number(process.env.BENCH_PROXY_DURATION_S ?? 15);
const HARDWARE_PRODUCTS = 40;
const CLOUD_PRODUCTS = 20;
const RESELLERS = 8;

interface AutocannonResult {
  duration: number;
  errors: number;
  non2xx: number;
  '2xx': number;
  latency: { p50: number; p99: number };
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  requests: Array<{
    method: string;
    path: string;
    setupRequest: (req: Record<string, unknown>) => Record<string, unknown>;
  }>;
}) => Promise<AutocannonResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

/**
 * Orders/s through the scale-out stack (docs/operations.md §15) with 1 and with 3 API instances
 * behind HAProxy and pgbouncer (transaction mode): 16 autocannon connections post carts of 3–5
 * mixed lines, and the CPU of the whole path (instances, HAProxy, pgbouncer, PostgreSQL backends)
 * is divided by the orders placed. On a 2-core machine 3 instances cannot add cores: the figure
 * to read is what the extra processes cost per order.
 */
export async function proxyBench(ctx: BenchContext): Promise<BenchResult[]> {
  if (!fs.existsSync('/usr/sbin/haproxy') || !fs.existsSync('/usr/sbin/pgbouncer')) {
    ctx.log('proxy: haproxy or pgbouncer missing: run bash scripts/stack.sh --tools-only first; skipped');
    return [
      {
        benchmark: 'proxy',
        metric: 'orders/s through HAProxy + pgbouncer',
        value: null,
        unit: '',
        note: 'skipped: haproxy/pgbouncer not installed',
      },
    ];
  }
  const results: BenchResult[] = [];
  for (const instances of [1, 3]) {
    ctx.log(`proxy: starting the stack with ${instances} instance(s)`);
    // Without the replica: order placement never reads it, and its WAL replay would take CPU from the instances.
    const stack = await startStack({ instances, replica: false, log: (l) => ctx.log(`proxy: ${l}`) });
    try {
      const { hardware, cloud, tokens } = await seed(stack);
      const load = (duration: number) =>
        autocannon({
          url: stack.proxyUrl,
          connections: CONNECTIONS,
          duration,
          timeout: 30,
          requests: [
            {
              method: 'POST',
              path: '/api/v1/orders',
              setupRequest: (req) => ({
                ...req,
                headers: { 'content-type': 'application/json', authorization: `Bearer ${pick(tokens)}` },
                body: JSON.stringify(cart(hardware, cloud)),
              }),
            },
          ],
        });
      ctx.log(`proxy: warm-up ${WARMUP_S} s, then ${DURATION_S} s measured`);
      await load(WARMUP_S);
      const before = cpuOfStack(stack);
      const r = await load(DURATION_S);
      const cpuMs = cpuOfStack(stack) - before;
      const perS = r['2xx'] / r.duration;
      const name = `proxy ×${instances}`;
      results.push(
        {
          benchmark: name,
          metric: `orders placed/s through HAProxy + pgbouncer (${CONNECTIONS} connections)`,
          value: Math.round(perS),
          unit: 'orders/s',
        },
        {
          benchmark: name,
          metric: 'latency p50 / p99',
          value: r.latency.p99,
          unit: 'ms p99',
          note: `p50 ${r.latency.p50} ms`,
        },
        {
          benchmark: name,
          metric: 'CPU per order (instances, proxy, pooler, PostgreSQL)',
          value: round(cpuMs / Math.max(1, r['2xx']), 2),
          unit: 'ms',
        },
        {
          benchmark: name,
          metric: 'non-2xx answers and errors',
          value: r.non2xx + r.errors,
          unit: '',
          goal: '0',
          pass: r.non2xx + r.errors === 0,
        },
      );
    } finally {
      await stack.stop();
    }
  }
  ctx.log(`proxy: ${os.cpus().length} CPU(s) on this machine`);
  return results;
}

async function seed(stack: Stack) {
  const post = async (url: string, token: string, body: unknown): Promise<Record<string, string>> => {
    const res = await fetch(`${stack.proxyUrl}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, string>;
  };
  const product = (kind: 'HARDWARE' | 'CLOUD', i: number) =>
    post('/api/v1/catalog/products', stack.adminToken, {
      sku: `${kind === 'HARDWARE' ? 'HW' : 'CL'}-PROXY-${i}`,
      name: `Proxy bench ${kind.toLowerCase()} ${i}`,
      vendor: 'Dell',
      kind,
      prices: [{ currency: 'AUD', unitPrice: '100.00', costPrice: '70.00' }],
      ...(kind === 'HARDWARE' ? { warrantyMonths: 12 } : { term: 'P1Y', billingFrequency: 'MONTHLY' }),
    }).then((p) => p.sku);
  const hardware = await Promise.all(Array.from({ length: HARDWARE_PRODUCTS }, (_, i) => product('HARDWARE', i)));
  const cloud = await Promise.all(Array.from({ length: CLOUD_PRODUCTS }, (_, i) => product('CLOUD', i)));
  const tokens: string[] = [];
  for (let i = 0; i < RESELLERS; i++) {
    const r = await post('/api/v1/resellers', stack.adminToken, {
      name: `Proxy bench reseller ${i + 1}`,
      currency: 'AUD',
      country: 'AU',
      paymentTermsDays: 30,
      creditLimits: { HARDWARE: '10000000000.00', CLOUD: '10000000000.00' },
    });
    tokens.push(
      (
        await post(`/api/v1/resellers/${r.id}/users`, stack.adminToken, {
          email: `buyer${i}@proxy.bench`,
          role: 'buyer',
        })
      ).token,
    );
  }
  return { hardware, cloud, tokens };
}

function cart(hardware: string[], cloud: string[]) {
  const size = 3 + Math.floor(Math.random() * 3);
  const skus = new Set<string>([pick(hardware), pick(cloud)]);
  while (skus.size < size) skus.add(Math.random() < 0.5 ? pick(hardware) : pick(cloud));
  return {
    endCustomer: { name: 'Proxy bench customer' },
    lines: [...skus].map((sku) => ({ sku, quantity: 1 + Math.floor(Math.random() * 10) })),
  };
}

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

/** CPU (ms) used so far by the stack's processes: instances, HAProxy, pgbouncer and the database's backends. */
function cpuOfStack(stack: Stack): number {
  const pids = [...stack.instances.map((i) => i.child.pid!), stack.pids.haproxy, stack.pids.pgbouncer];
  const pgPort = new URL(stack.appUrl).port;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      // The stack's postmaster (its -p port) and every process it forked (backends, workers).
      if (cmd.includes(`-p\0${pgPort}\0`) || (cmd.startsWith('postgres: ') && isChildOfPort(Number(entry), pgPort)))
        pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
}

function isChildOfPort(pid: number, port: string): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8').includes(`-p\0${port}\0`);
  } catch {
    return false;
  }
}
