import { useState } from 'react';
import { client, download, ok } from '../api';
import { DateText, Empty, ErrorBanner, Loading, Money, PageHeader, Status, useAsync } from '../components/ui';
import { hasRole, useSession } from '../session';

/**
 * Invoices to end customers, collections and settlements (docs/billing-on-behalf.md §3–5): reseller
 * finance reviews and issues its DRAFT invoices and downloads them (PDF, CSV); collections made on
 * its behalf and each settlement with its remittance statement. Distributor staff see them too.
 */
export function EndCustomerBillingPage() {
  const { me } = useSession();
  const invoices = useAsync(() => ok(client.GET('/api/v1/end-customer-invoices', { params: { query: { pageSize: 100 } } })), []);
  const collections = useAsync(() => ok(client.GET('/api/v1/collections', { params: { query: { pageSize: 100 } } })), []);
  const settlements = useAsync(() => ok(client.GET('/api/v1/settlements', { params: { query: { pageSize: 50 } } })), []);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const mayIssue = hasRole(me, 'reseller_finance') || hasRole(me, 'reseller_admin');

  const issue = async (id: string) => {
    setBusy(id);
    setActionError(null);
    try {
      await ok(client.POST('/api/v1/end-customer-invoices/{id}/issue', { params: { path: { id } } }));
      await invoices.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };
  const pdf = (id: string, name: string) =>
    void download(client.GET('/api/v1/end-customer-invoices/{id}/pdf', { params: { path: { id } }, parseAs: 'blob' }), `${name}.pdf`);
  const csv = (id: string, name: string) =>
    void download(
      client.GET('/api/v1/end-customer-invoices/{id}/csv', {
        params: { path: { id } },
        headers: { Accept: 'text/csv' },
        parseAs: 'blob',
      }),
      `${name}.csv`,
    );
  const remittance = (id: string, kind: 'pdf' | 'csv') =>
    void download(
      kind === 'pdf'
        ? client.GET('/api/v1/settlements/{id}/pdf', { params: { path: { id } }, parseAs: 'blob' })
        : client.GET('/api/v1/settlements/{id}/csv', {
            params: { path: { id } },
            headers: { Accept: 'text/csv' },
            parseAs: 'blob',
          }),
      `remittance-${id}.${kind}`,
    );

  return (
    <section>
      <PageHeader title="End-customer billing" />
      <ErrorBanner error={invoices.error ?? collections.error ?? settlements.error} />
      <ErrorBanner error={actionError} title="The invoice was not issued" />

      <h2>Invoices to end customers</h2>
      {invoices.loading && !invoices.data ? (
        <Loading what="Loading end-customer invoices" />
      ) : !invoices.data?.items.length ? (
        <Empty>No end-customer invoices yet: they are drafted by the billing run once end-customer billing is on.</Empty>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Invoices to end customers">
          <table>
            <caption className="sr-only">Invoices to end customers</caption>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">End customer</th>
                <th scope="col">Period to</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Cost
                </th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col" className="num">
                  Due
                </th>
                <th scope="col">Documents</th>
              </tr>
            </thead>
            <tbody>
              {invoices.data.items.map((i) => {
                const name = i.number ?? `draft-${i.id.slice(0, 8)}`;
                return (
                  <tr key={i.id}>
                    <td>{i.number ?? 'Draft'}</td>
                    <td>{i.buyer.name}</td>
                    <td>
                      <DateText value={i.periodEnd} />
                    </td>
                    <td>
                      <Status value={i.status} />
                    </td>
                    <td className="num">
                      <Money amount={i.cost} currency={i.currency} />
                    </td>
                    <td className="num">
                      <Money amount={i.gross} currency={i.currency} />
                    </td>
                    <td className="num">
                      <Money amount={i.amountDue} currency={i.currency} />
                    </td>
                    <td>
                      <button type="button" className="secondary" onClick={() => pdf(i.id, name)} aria-label={`PDF of ${name}`}>
                        PDF
                      </button>{' '}
                      <button type="button" className="secondary" onClick={() => csv(i.id, name)} aria-label={`CSV of ${name}`}>
                        CSV
                      </button>{' '}
                      {mayIssue && i.status === 'DRAFT' && (
                        <button type="button" disabled={busy !== null} onClick={() => void issue(i.id)}>
                          Issue
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <h2>Collected on your behalf</h2>
      {!collections.data?.items.length ? (
        <Empty>No collections yet.</Empty>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Collected on your behalf">
          <table>
            <caption className="sr-only">Collections</caption>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Invoice</th>
                <th scope="col">Method</th>
                <th scope="col">Reference</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Settled</th>
              </tr>
            </thead>
            <tbody>
              {collections.data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <DateText value={c.receivedOn} />
                  </td>
                  <td>{c.endCustomerInvoiceNumber}</td>
                  <td>{c.method === 'CARD' ? 'Card' : 'Bank transfer'}</td>
                  <td>{c.reference}</td>
                  <td className="num">
                    <Money amount={c.amount} currency={c.currency} />
                  </td>
                  <td>{c.settledOn ? <DateText value={c.settledOn} /> : 'Held'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Settlements</h2>
      {!settlements.data?.items.length ? (
        <Empty>No settlements yet.</Empty>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Settlements">
          <table>
            <caption className="sr-only">Settlements and remittances</caption>
            <thead>
              <tr>
                <th scope="col">Settled</th>
                <th scope="col" className="num">
                  Collected
                </th>
                <th scope="col" className="num">
                  Fee
                </th>
                <th scope="col" className="num">
                  Netted
                </th>
                <th scope="col" className="num">
                  Paid out
                </th>
                <th scope="col">Remittance</th>
              </tr>
            </thead>
            <tbody>
              {settlements.data.items.map((s) => (
                <tr key={s.id}>
                  <td>
                    <DateText value={s.settledOn} />
                  </td>
                  <td className="num">
                    <Money amount={s.collected} currency={s.currency} />
                  </td>
                  <td className="num">
                    <Money amount={s.fee} currency={s.currency} />
                  </td>
                  <td className="num">
                    <Money amount={s.netted} currency={s.currency} />
                  </td>
                  <td className="num">
                    <Money amount={s.paidOut} currency={s.currency} />
                  </td>
                  <td>
                    <button type="button" className="secondary" onClick={() => remittance(s.id, 'pdf')}>
                      PDF
                    </button>{' '}
                    <button type="button" className="secondary" onClick={() => remittance(s.id, 'csv')}>
                      CSV
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
