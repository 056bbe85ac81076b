import { EntityManager } from 'typeorm';

/**
 * Serialises everything that moves one reseller's receivables (billing, payments, credit notes,
 * Stripe events, credit holds) for the rest of the caller's transaction. Taken first, before any
 * row lock, so those transactions never deadlock with one another.
 */
export async function lockReceivables(em: EntityManager, resellerId: string): Promise<void> {
  await em.query(`SELECT pg_advisory_xact_lock(hashtext('disty:receivables:' || $1))`, [resellerId]);
}
