import { EntityManager } from 'typeorm';
import { NewInvoice } from './invoice.service';

/**
 * The step of issuing an invoice that payments owns: a new invoice takes the reseller's unapplied
 * cash (account 2200) at once, in the issuing transaction, before it is numbered and posted.
 * Declared here because the billing run (invoicing) calls it explicitly between
 * `InvoiceService.create` and `finishIssue`; implemented and provided by payments' `PaymentsModule`
 * (payments depends on invoicing, not the reverse). See docs/architecture.md §3 and §5.
 */
export abstract class UnappliedCash {
  abstract applyToNewInvoice(em: EntityManager, invoice: NewInvoice): Promise<void>;
}
