// A billing run's lease: the advisory lock a live worker holds on the run, and the heartbeat it writes on billing_runs.
import { DataSource } from 'typeorm';
import { HeldAdvisoryLock, holdAdvisoryLock } from '#disty/core';

const HEARTBEAT_MS = 2000;

/**
 * Held by the worker processing a run (transaction-scoped, kept by an open transaction on a
 * connection of its own: holdAdvisoryLock): a run whose worker died has its lock freed and is
 * resumed by the next POST for its period, the CLI or the scheduler. While it bills, the worker
 * stamps billing_runs.heartbeat_at every HEARTBEAT_MS.
 */
export class BillingRunLease {
  private heartbeat: NodeJS.Timeout | undefined;

  private constructor(
    private readonly db: DataSource,
    private readonly runId: string,
    private readonly lock: HeldAdvisoryLock,
  ) {}

  /** The run's lease, or null at once when another live worker holds it. */
  static async acquire(db: DataSource, runId: string): Promise<BillingRunLease | null> {
    const lock = await holdAdvisoryLock(db, `disty:billing-run:${runId}`, { wait: false });
    return lock ? new BillingRunLease(db, runId, lock) : null;
  }

  /** Stamps heartbeat_at every HEARTBEAT_MS until stopHeartbeat() (a failed stamp is ignored; the timer never keeps the process alive). */
  startHeartbeat(): void {
    this.heartbeat = setInterval(() => {
      this.db.query(`UPDATE billing_runs SET heartbeat_at = now() WHERE id = $1`, [this.runId]).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Stops the heartbeat and frees the run for another worker (a failed release is ignored: the lock ends with its connection). */
  async release(): Promise<void> {
    this.stopHeartbeat();
    await this.lock.release().catch(() => undefined);
  }
}
