import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock, Currency, Dec, ledgerPostings, queryPrepared } from '#disty/core';
import { BasedLine } from './domain/base-amounts';
import { prepareEntry, PrepareDeps } from './entry-preparation';
import { mapLedgerDbError } from './errors';
import { LedgerService, PostEntryInput } from './ledger.service';
import { POST_BATCH } from './ledger.sql';

/** Entries written by one statement; a larger batch is written in slices of this size (same transaction). */
const MAX_STATEMENT_ENTRIES = 2_000;

/** One entry of a batch: its id, and whether this batch created it (false: its source had posted already). */
export interface BatchPostResult {
  entryId: string;
  created: boolean;
}

/**
 * Batch posting (docs/accounting.md, "Batch posting"; docs/performance.md): many entries in the
 * caller's transaction, written by one statement, so the balance trigger updates each account
 * balance and each account-and-day total once for the whole batch instead of once per entry.
 * Every entry is checked as LedgerService.post checks it, is still balanced on its own (the
 * deferred trigger checks each at commit), and is unique by source: an entry whose source has
 * posted already (or appears earlier in the same batch) is not posted again and comes back with
 * created = false, so a replayed batch posts nothing twice.
 */
@Injectable()
export class LedgerBatchService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly clock: Clock,
  ) {}

  /** Posts `inputs` in `em`'s transaction; the results are in the order of `inputs`. */
  async postBatch(em: EntityManager, inputs: PostEntryInput[]): Promise<BatchPostResult[]> {
    if (!inputs.length) return [];
    if (inputs.length > MAX_STATEMENT_ENTRIES) {
      // Very large batches go in slices, still in the caller's transaction (a source repeated in a
      // later slice finds the entry an earlier one posted: created = false, as in one slice).
      const out: BatchPostResult[] = [];
      for (let i = 0; i < inputs.length; i += MAX_STATEMENT_ENTRIES) {
        out.push(...(await this.postBatch(em, inputs.slice(i, i + MAX_STATEMENT_ENTRIES))));
      }
      return out;
    }
    // A carrying-value line reads the balance the entries before it leave: such a batch posts entry
    // by entry (still one transaction), so it books exactly what posting one by one books.
    if (inputs.some((i) => i.lines.some((l) => l.baseAt === 'carrying'))) {
      const out: BatchPostResult[] = [];
      for (const input of inputs) {
        const r = await this.ledger.post(em, input);
        out.push({ entryId: r.entry.id, created: r.created });
      }
      return out;
    }
    const deps: PrepareDeps = {
      chart: await this.ledger.chart(em),
      fx: memoRates(this.ledger.fx),
      today: this.clock.today(),
    };
    const sourceKey = (i: PostEntryInput) => `${i.source.type}\u0000${i.source.id}`;
    const firstOf = new Map<string, number>();
    const unique: Array<{ k: number; input: PostEntryInput; lines: BasedLine[] }> = [];
    for (let k = 0; k < inputs.length; k++) {
      const key = sourceKey(inputs[k]);
      if (firstOf.has(key)) continue;
      firstOf.set(key, k);
      unique.push({ k, input: inputs[k], lines: await prepareEntry(em, inputs[k], deps) });
    }
    const lines = unique.flatMap((u) => u.lines.map((l, n) => ({ k: u.k, n: n + 1, l })));
    let inserted: Array<{ k: number; id: string }>;
    try {
      inserted = await queryPrepared<{ k: number; id: string }>(em, POST_BATCH, [
        unique.map((u) => u.k),
        unique.map((u) => u.input.entryDate),
        unique.map((u) => u.input.memo),
        unique.map((u) => u.input.source.type),
        unique.map((u) => u.input.source.id),
        unique.map((u) => u.input.reversalOf ?? null),
        unique.map((u) => u.input.createdBy ?? null),
        lines.map((x) => x.k),
        lines.map((x) => x.n),
        lines.map((x) => x.l.accountCode),
        lines.map((x) => x.l.resellerId),
        lines.map((x) => x.l.currency),
        lines.map((x) => x.l.debit.toFixed()),
        lines.map((x) => x.l.credit.toFixed()),
        lines.map((x) => x.l.baseDebit.toFixed()),
        lines.map((x) => x.l.baseCredit.toFixed()),
      ]);
    } catch (e) {
      throw mapLedgerDbError(e);
    }
    const created = new Map(inserted.map((r) => [Number(r.k), r.id]));
    for (const u of unique) if (created.has(u.k)) ledgerPostings.inc({ source_type: u.input.source.type });
    // Sources that had posted before this batch: their existing entries, in one read.
    const existing = new Map<string, string>();
    const replayed = unique.filter((u) => !created.has(u.k));
    if (replayed.length) {
      const rows: Array<{ source_type: string; source_id: string; id: string }> = await em.query(
        `SELECT j.source_type, j.source_id, j.id FROM journal_entries j
           JOIN unnest($1::text[], $2::text[]) AS s(t, i) ON j.source_type = s.t AND j.source_id = s.i`,
        [replayed.map((u) => u.input.source.type), replayed.map((u) => u.input.source.id)],
      );
      for (const r of rows) existing.set(`${r.source_type}\u0000${r.source_id}`, r.id);
    }
    return inputs.map((input, k) => {
      const id = created.get(k);
      if (id) return { entryId: id, created: true };
      const first = created.get(firstOf.get(sourceKey(input))!);
      return { entryId: first ?? existing.get(sourceKey(input))!, created: false };
    });
  }
}

/** The rates of one batch read once per date and set of currencies (most batches share one date). */
function memoRates(fx: PrepareDeps['fx']): PrepareDeps['fx'] {
  const seen = new Map<string, Promise<Map<Currency, Dec>>>();
  return {
    reportingCurrency: (em) => fx.reportingCurrency(em),
    ratesOn: (em, currencies, date) => {
      const key = `${date}|${[...new Set(currencies)].sort().join(',')}`;
      if (!seen.has(key)) seen.set(key, fx.ratesOn(em, currencies, date));
      return seen.get(key)!;
    },
  };
}
