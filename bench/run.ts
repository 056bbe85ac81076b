import 'reflect-metadata';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from '#disty/core';
import { billingBench } from './billing.bench';
import { ledgerBench } from './ledger.bench';
import { ordersBench } from './orders.bench';
import { proxyBench } from './proxy.bench';
import { recognitionBench } from './recognition.bench';
import { renewalScanBench } from './renewal-scan.bench';
import { usageBench } from './usage.bench';
import { benchServer, BenchContext, BenchResult } from './support';

/** Every benchmark, by name; `npm run bench -- ledger` runs only the named ones. */
const BENCHMARKS: Record<string, (ctx: BenchContext) => Promise<BenchResult[]>> = {
  ledger: ledgerBench,
  billing: billingBench,
  orders: ordersBench,
  renewalScan: renewalScanBench,
  recognition: recognitionBench,
  proxy: proxyBench,
  usage: usageBench,
};

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const { ctx, stop } = await benchServer();
  const results: BenchResult[] = [];
  try {
    for (const [name, bench] of Object.entries(BENCHMARKS)) {
      if (only.length && !only.includes(name)) continue;
      results.push(...(await bench(ctx)));
    }
  } finally {
    await stop();
  }
  printTable(results);
  const file = path.join(PROJECT_ROOT, 'bench', 'results.json');
  // A run of some benchmarks keeps the others' rows from the file (they were not measured again).
  // Rows are matched by benchmark, whatever their variant ("proxy ×3" and a skipped "proxy" are one).
  const family = (benchmark: string) => benchmark.split(' ')[0];
  const ran = new Set(results.map((r) => family(r.benchmark)));
  const kept = only.length ? previousResults(file).filter((r) => !ran.has(family(r.benchmark))) : [];
  fs.writeFileSync(
    file,
    JSON.stringify({ measuredAt: new Date().toISOString(), machine: machine(), results: [...kept, ...results] }, null, 2) + '\n',
  );
  console.log(`\nwritten ${path.relative(PROJECT_ROOT, file)}`);
  if (results.some((r) => r.pass === false)) process.exitCode = 3;
}

function previousResults(file: string): BenchResult[] {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { results?: BenchResult[] }).results ?? [];
  } catch {
    return [];
  }
}

function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => [
    r.benchmark,
    r.metric,
    r.value === null ? '—' : `${r.value.toLocaleString('en')} ${r.unit}`.trim(),
    r.goal ?? '',
    r.pass === undefined || r.pass === null ? (r.note ?? '') : r.pass ? 'ok' : 'MISSED',
  ]);
  const header = ['benchmark', 'metric', 'value', 'goal', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
