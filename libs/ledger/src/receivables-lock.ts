import { EntityManager } from 'typeorm';

/** The lock's key is hashtext(prefix || reseller id). */
export const RECEIVABLES_LOCK_PREFIX = 'disty:receivables:';

/**
 * Serialises everything that moves one reseller's receivables (1100/1110 and their subledger:
 * billing, payments, credit notes, credit applications, refunds, Stripe events, credit holds, a
 * back-dated subscription change) for the rest of the caller's transaction. Taken first, before any
 * row lock, so those transactions never deadlock with one another (docs/architecture.md §4).
 */
export async function lockReceivables(em: EntityManager, resellerId: string): Promise<void> {
  await em.query(`SELECT pg_advisory_xact_lock(hashtext('${RECEIVABLES_LOCK_PREFIX}' || $1))`, [resellerId]);
}
