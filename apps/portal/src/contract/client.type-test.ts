/**
 * Type-level tests of the generated client, compiled by the portal's type-check
 * (`tsc -p apps/portal/tsconfig.json`, part of `npm test`); never run, never bundled. If the contract
 * stops typing these answers (an operation loses its response schema, a field changes type), the
 * type-check fails here.
 */
import { client, ok } from '../api';
import type { ApiError, Problem } from '../api';
import type { Invoice, InvoiceSummary, Order, ProblemDetails } from '.';

/** true when A and B are the same type (not merely assignable either way). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** true when A and B are assignable to each other. */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const assertType = <T extends true>(): T => true as T;

export async function placeOrderAnswersAnOrder(): Promise<void> {
  const order = await ok(
    client.POST('/api/v1/orders', {
      body: { endCustomer: { name: 'Acme' }, lines: [{ sku: 'SKU-1', quantity: 1 }] },
      params: { header: { 'Idempotency-Key': 'k-1' } },
    }),
  );
  assertType<Equals<typeof order, Order>>();
  // The order's fields, as the contract types them: money is a decimal string.
  assertType<Equals<typeof order.totals.HARDWARE.gross, string>>();
  assertType<Equals<typeof order.status, 'PLACED' | 'PARTIALLY_SHIPPED' | 'FULFILLED' | 'CANCELLED'>>();

  // The raw result: data is the order on success, error the problem on failure.
  const { data, error } = await client.POST('/api/v1/orders', {
    body: { endCustomer: { name: 'Acme' }, lines: [] },
  });
  assertType<Equals<typeof data, Order | undefined>>();
  assertType<Mutual<NonNullable<typeof error>, ProblemDetails>>();
}

export async function listsArePagesOfTheirItems(): Promise<void> {
  const page = await ok(client.GET('/api/v1/invoices', { params: { query: { page: 1, pageSize: 20 } } }));
  assertType<Equals<(typeof page.items)[number], InvoiceSummary>>();
  assertType<Equals<typeof page.total, number>>();
  const invoice = await ok(client.GET('/api/v1/invoices/{id}', { params: { path: { id: 'x' } } }));
  assertType<Equals<typeof invoice, Invoice>>();
}

export function problemsAreTheContractsProblemDetails(e: ApiError): void {
  const problem: ProblemDetails = e.problem;
  const extended: Problem = problem;
  assertType<Equals<typeof extended.available, string | undefined>>();
}

export function wrongCallsDoNotCompile(): void {
  // @ts-expect-error placeOrder needs lines
  void client.POST('/api/v1/orders', { body: { endCustomer: { name: 'Acme' } } });
  // @ts-expect-error no such path in the contract
  void client.GET('/api/v1/no-such-path');
  // @ts-expect-error a path parameter is required
  void client.GET('/api/v1/orders/{id}', {});
}
