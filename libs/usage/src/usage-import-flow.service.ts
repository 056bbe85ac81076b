import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { CreditExposureService } from '#disty/credit-exposure';
import { ConsumptionBudgetService } from './consumption-budget.service';
import { UsageImportView } from './dto/usage-import.dto';
import { UsageFormat } from './usage-file.reader';
import { UsageImportService } from './usage-import.service';

/**
 * An import and what follows it (docs/consumption.md §7, §8): once the import has committed, the
 * CLOUD credit exposure of each reseller it touched is evaluated (alerts, hold), and the forecasts
 * of the budgeted subscriptions it touched. The exposure is evaluated in one transaction under the
 * receivables locks of those resellers (never inside the import's, which holds the rating lock); a failure
 * there is logged and does not undo the import (POST /credit-exposure/evaluate re-runs it).
 */
@Injectable()
export class UsageImportFlowService {
  private readonly logger = new Logger('UsageImportFlow');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly imports: UsageImportService,
    private readonly exposure: CreditExposureService,
    private readonly budgets: ConsumptionBudgetService,
  ) {}

  async run(
    input: Readable,
    opts: { vendorId: string; format: UsageFormat; fileName?: string; createdBy: string | null },
  ): Promise<UsageImportView> {
    const view = await this.imports.import(input, opts);
    if (view.status !== 'COMPLETED') return view;
    const start = Date.now();
    await this.afterImport(view.id);
    // Its time beside the import's steps (docs/consumption.md §10).
    await this.db
      .query(`UPDATE usage_imports SET phase_ms = phase_ms || jsonb_build_object('after-import', $2::int) WHERE id = $1`, [
        view.id,
        Date.now() - start,
      ])
      .catch(() => undefined);
    return view;
  }

  /** Exposure and forecasts for what import `importId` recorded. */
  async afterImport(importId: string): Promise<void> {
    try {
      const resellers: Array<{ reseller_id: string }> = await this.db.query(
        // What the import posted (usage_postings is indexed by import): an import that moved nothing posted nothing.
        `SELECT DISTINCT reseller_id FROM usage_postings WHERE import_id = $1 ORDER BY reseller_id`,
        [importId],
      );
      // One transaction for them all, their unbilled usage read once (docs/consumption.md §10).
      await this.exposure.evaluateMany(resellers.map((r) => r.reseller_id));
      await this.budgets.evaluateImport(importId);
    } catch (e) {
      this.logger.error(`evaluating after usage import ${importId} failed: ${(e as Error).message}`);
    }
  }
}
