import { useState } from 'react';
import { client, download, ok } from '../api';
import { RecordPaymentForm } from '../components/FinanceActions';
import { RefundForm } from '../components/RefundForm';
import { DateText, Empty, ErrorBanner, Loading, Money, Notice, PageHeader, Pager, Status, TableRegion, useAsync } from '../components/ui';
import { formatMoney, todayIso } from '../format';
import { useResellers } from '../resellers';
import { Link } from '../router';
import { hasRole, useSession } from '../session';

const firstOfMonth = (iso: string) => `${iso.slice(0, 8)}01`;
const TYPE_LABELS: Record<string, string> = {
  INVOICE: 'Invoice',
  CREDIT_NOTE: 'Credit note',
  PAYMENT: 'Payment',
  PAYMENT_APPLICATION: 'Payment applied',
  CREDIT_APPLICATION: 'Credit applied',
  REFUND: 'Refund',
  WRITE_OFF: 'Write-off',
  OTHER: 'Other',
};

/** The statement of account for a period, per currency, with its running balance (GET /resellers/{id}/statement). */
function StatementSection({ resellerId, reload }: { resellerId: string; reload: number }) {
  const [from, setFrom] = useState(firstOfMonth(todayIso()));
  const [to, setTo] = useState(todayIso());
  const [fileError, setFileError] = useState<unknown>(null);
  const st = useAsync(
    () =>
      ok(
        client.GET('/api/v1/resellers/{id}/statement', {
          params: { path: { id: resellerId }, query: { from, to } },
        }),
      ),
    [resellerId, from, to, reload],
  );
  const pdf = async () => {
    setFileError(null);
    try {
      await download(
        client.GET('/api/v1/resellers/{id}/statement', {
          params: { path: { id: resellerId }, query: { from, to } },
          headers: { Accept: 'application/pdf' },
          parseAs: 'blob',
        }),
        `statement-${from}-${to}.pdf`,
      );
    } catch (e) {
      setFileError(e);
    }
  };
  return (
    <section aria-labelledby="statement-title">
      <h2 id="statement-title">Statement of account</h2>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="st-from">From</label>
          <input id="st-from" type="date" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="st-to">To</label>
          <input id="st-to" type="date" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} />
        </div>
        <button type="button" onClick={pdf}>
          Download PDF
        </button>
      </div>
      <ErrorBanner error={st.error} title="The statement could not be loaded" />
      <ErrorBanner error={fileError} title="The PDF could not be downloaded" />
      {st.loading && !st.data ? (
        <Loading what="Loading the statement" />
      ) : st.data && st.data.currencies.length === 0 ? (
        <Empty>Nothing was invoiced or paid in this period.</Empty>
      ) : (
        st.data?.currencies.map((c) => (
          <div key={c.currency} data-testid={`statement-${c.currency}`}>
            <TableRegion label={`Statement in ${c.currency}`} csv={`statement-${c.currency}`}>
              <table>
                <caption>
                  {c.currency}: opening balance {formatMoney(c.openingBalance, c.currency)}, closing balance{' '}
                  <strong data-testid="closing-balance">{formatMoney(c.closingBalance, c.currency)}</strong>
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Type</th>
                    <th scope="col">Reference</th>
                    <th scope="col">Description</th>
                    <th scope="col" className="num">
                      Debit
                    </th>
                    <th scope="col" className="num">
                      Credit
                    </th>
                    <th scope="col" className="num">
                      Balance
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {c.lines.map((l, i) => (
                    <tr key={`${l.sourceType}-${l.sourceId}-${i}`}>
                      <td>
                        <DateText value={l.date} />
                      </td>
                      <td>{TYPE_LABELS[l.type] ?? l.type}</td>
                      <td>{l.reference ?? '—'}</td>
                      <td>{l.description}</td>
                      <td className="num">
                        <Money amount={l.debit} currency={c.currency} />
                      </td>
                      <td className="num">
                        <Money amount={l.credit} currency={c.currency} />
                      </td>
                      <td className="num">
                        <Money amount={l.balance} currency={c.currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
          </div>
        ))
      )}
    </section>
  );
}

/** Payments received from the reseller (bank transfers and cards), latest first. */
function PaymentsSection({ resellerId, reload }: { resellerId: string; reload: number }) {
  const [page, setPage] = useState(1);
  const list = useAsync(
    () => ok(client.GET('/api/v1/payments', { params: { query: { resellerId, page, pageSize: 10 } } })),
    [resellerId, page, reload],
  );
  return (
    <section aria-labelledby="payments-title">
      <h2 id="payments-title">Payment history</h2>
      <ErrorBanner error={list.error} title="Payments could not be loaded" />
      {list.loading && !list.data ? (
        <Loading what="Loading payments" />
      ) : list.data && list.data.items.length === 0 ? (
        <Empty>No payments yet.</Empty>
      ) : list.data ? (
        <>
          <TableRegion label="Payments" csv="payments">
            <table>
              <caption className="sr-only">Payments</caption>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Method</th>
                  <th scope="col">Reference</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col" className="num">
                    Unapplied
                  </th>
                  <th scope="col">Applied to</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <DateText value={p.receivedOn} />
                    </td>
                    <td>
                      <Status value={p.method} />
                    </td>
                    <td>{p.reference}</td>
                    <td className="num">
                      <Money amount={p.amount} currency={p.currency} />
                    </td>
                    <td className="num">
                      <Money amount={p.unapplied} currency={p.currency} />
                    </td>
                    <td className="small">
                      {p.allocations.length === 0
                        ? '—'
                        : p.allocations.map((a, i) => (
                            <div key={`${a.invoiceId}-${i}`}>
                              <Link to={`/invoices/${a.invoiceId}`}>{a.invoiceNumber}</Link>{' '}
                              <Money amount={a.amount} currency={p.currency} />
                            </div>
                          ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={setPage} />
        </>
      ) : null}
    </section>
  );
}

/** The distributor's bank account to pay invoices to (the one printed on the invoice PDFs). */
function BankDetails() {
  const d = useAsync(() => ok(client.GET('/api/v1/config/payment-details')), []);
  return (
    <section className="card" aria-labelledby="bank-title">
      <h2 id="bank-title">How to pay</h2>
      <ErrorBanner error={d.error} title="The bank details could not be loaded" />
      {d.data && (
        <>
          <dl className="facts" data-testid="bank-details">
            <div>
              <dt>Account name</dt>
              <dd>{d.data.accountName}</dd>
            </div>
            <div>
              <dt>Bank</dt>
              <dd>{d.data.bankName}</dd>
            </div>
            <div>
              <dt>BSB</dt>
              <dd>{d.data.bsb}</dd>
            </div>
            <div>
              <dt>Account number</dt>
              <dd>{d.data.accountNumber}</dd>
            </div>
            <div>
              <dt>SWIFT</dt>
              <dd>{d.data.swift}</dd>
            </div>
          </dl>
          <p className="muted small">
            Quote the invoice number as the payment reference and send remittance advice to {d.data.email}. Invoices can also be paid by
            card from the invoice page where card payments are configured.
          </p>
        </>
      )}
    </section>
  );
}

/** The reseller's invoices with something due, each a link to its page (card payment where configured). */
function OpenInvoices() {
  const list = useAsync(
    () =>
      Promise.all(
        (['ISSUED', 'PARTIALLY_PAID'] as const).map((status) =>
          ok(client.GET('/api/v1/invoices', { params: { query: { status, page: 1, pageSize: 50 } } })).then((r) => r.items),
        ),
      ).then((pages) => pages.flat().sort((a, b) => a.dueDate.localeCompare(b.dueDate))),
    [],
  );
  return (
    <section aria-labelledby="open-title">
      <h2 id="open-title">Invoices to pay</h2>
      <ErrorBanner error={list.error} title="Open invoices could not be loaded" />
      {list.data && list.data.length === 0 ? (
        <Empty>Nothing is due.</Empty>
      ) : list.data ? (
        <ul className="card-list">
          {list.data.map((i) => (
            <li key={i.id} className="card">
              <Link to={`/invoices/${i.id}`}>{i.number}</Link> · due <DateText value={i.dueDate} /> ·{' '}
              <strong>
                <Money amount={i.amountDue} currency={i.currency} />
              </strong>
            </li>
          ))}
        </ul>
      ) : (
        <Loading what="Loading open invoices" />
      )}
    </section>
  );
}

/** A reseller's own account (reseller finance and admin): statement, payments, where to pay. */
export function StatementPage() {
  const { me, reseller } = useSession();
  const id = me?.resellerId ?? '';
  return (
    <section>
      <PageHeader title="Statement and payments">
        <Link to="/invoices">Invoices</Link>
      </PageHeader>
      {reseller && <p className="muted">{reseller.name}</p>}
      <BankDetails />
      <OpenInvoices />
      <StatementSection resellerId={id} reload={0} />
      <PaymentsSection resellerId={id} reload={0} />
    </section>
  );
}

/** A reseller's account as distributor finance sees it: the same, with payments and refunds to record. */
export function ResellerAccountPage({ id }: { id: string }) {
  const { me } = useSession();
  const resellers = useResellers();
  const reseller = resellers.list.find((r) => r.id === id);
  const [message, setMessage] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const done = (m: string) => {
    setMessage(m);
    setReload((n) => n + 1);
  };
  return (
    <section>
      <PageHeader title={reseller ? `Account of ${reseller.name}` : 'Reseller account'}>
        <Link to="/invoices">Invoices</Link>
      </PageHeader>
      {message && <Notice kind="success">{message}</Notice>}
      {hasRole(me, 'finance') && reseller && (
        <div className="finance-actions" role="group" aria-label="Finance actions">
          <RecordPaymentForm key={`pay-${reload}`} resellerId={id} currency={reseller.currency} onDone={done} />
          <RefundForm key={`refund-${reload}`} resellerId={id} onDone={done} />
        </div>
      )}
      <StatementSection resellerId={id} reload={reload} />
      <PaymentsSection resellerId={id} reload={reload} />
    </section>
  );
}
