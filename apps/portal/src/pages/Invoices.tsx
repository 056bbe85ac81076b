import { lazy, Suspense, useState } from 'react';
import { client, download, ok, oneOf, text } from '../api';
import {
  DateText,
  ErrorBanner,
  FilterSelect,
  ListBody,
  Loading,
  Money,
  Notice,
  PageHeader,
  Pager,
  Status,
  statusOptions,
  useAsync,
  TableRegion,
} from '../components/ui';
import { CreditNoteForm, RecordPaymentForm, WriteOffForm } from '../components/FinanceActions';
import type { Currency, InvoiceStatus } from '../contract';
import { isZero } from '../format';
import { useResellers } from '../resellers';
import { Link } from '../router';
import { hasRole, useSession } from '../session';

// Stripe's code loads only when a card payment starts, and only when Stripe is configured.
const CardPayment = lazy(() => import('../components/CardPayment'));

const STATUSES: InvoiceStatus[] = ['ISSUED', 'PARTIALLY_PAID', 'PAID', 'CREDITED', 'WRITTEN_OFF'];

export function InvoicesPage() {
  const resellers = useResellers();
  const [status, setStatus] = useState('');
  const [resellerId, setResellerId] = useState('');
  const [page, setPage] = useState(1);
  const { data, error, loading } = useAsync(
    () =>
      ok(
        client.GET('/api/v1/invoices', {
          params: {
            query: { status: oneOf(STATUSES, status), resellerId: text(resellerId), page, pageSize: 25 },
          },
        }),
      ),
    [status, resellerId, page],
  );

  return (
    <section>
      <PageHeader title="Invoices" />
      <div className="toolbar">
        <FilterSelect
          id="inv-status"
          label="Status"
          value={status}
          options={statusOptions(STATUSES)}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
        />
        {resellers.distributor && (
          <FilterSelect
            id="inv-reseller"
            label="Reseller"
            value={resellerId}
            allLabel="All resellers"
            options={resellers.list.map((r) => ({ value: r.id, label: r.name }))}
            onChange={(v) => {
              setResellerId(v);
              setPage(1);
            }}
          />
        )}
      </div>
      <ErrorBanner error={error} />
      <ListBody
        loading={loading}
        page={data}
        loadingText="Loading invoices"
        empty="No invoices match. Clear the filters to see every invoice; new invoices come from a billing run."
      >
        {(data) => (
          <>
            <TableRegion label="Invoices" csv="invoices">
              <table>
                <caption className="sr-only">Invoices</caption>
                <thead>
                  <tr>
                    <th scope="col">Number</th>
                    {resellers.distributor && <th scope="col">Reseller</th>}
                    <th scope="col" className="col-low">
                      Issued
                    </th>
                    <th scope="col">Due</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Hardware
                    </th>
                    <th scope="col" className="num">
                      Cloud
                    </th>
                    <th scope="col" className="num">
                      Total
                    </th>
                    <th scope="col" className="num">
                      Due now
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((i) => (
                    <tr key={i.id}>
                      <td>
                        <Link to={`/invoices/${i.id}`}>{i.number}</Link>
                      </td>
                      {resellers.distributor && <td>{i.resellerName}</td>}
                      <td>
                        <DateText value={i.issueDate} />
                      </td>
                      <td>
                        <DateText value={i.dueDate} />
                      </td>
                      <td>
                        <Status value={i.status} />
                      </td>
                      <td className="num">
                        <Money amount={i.totals.HARDWARE.gross} currency={i.currency} />
                      </td>
                      <td className="num">
                        <Money amount={i.totals.CLOUD.gross} currency={i.currency} />
                      </td>
                      <td className="num">
                        <Money amount={i.totals.all.gross} currency={i.currency} />
                      </td>
                      <td className="num">
                        <strong>
                          <Money amount={i.amountDue} currency={i.currency} />
                        </strong>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
            <Pager page={data.page} pageSize={data.pageSize} total={data.total} onPage={setPage} />
          </>
        )}
      </ListBody>
    </section>
  );
}

export function InvoiceDetailPage({ id }: { id: string }) {
  const { me, config } = useSession();
  const resellers = useResellers();
  const { data: inv, error, loading, reload } = useAsync(() => ok(client.GET('/api/v1/invoices/{id}', { params: { path: { id } } })), [id]);
  const [pdfError, setPdfError] = useState<unknown>(null);
  const [paying, setPaying] = useState(false);
  const [paid, setPaid] = useState<string | null>(null);

  const done = (message: string) => {
    setPaid(message);
    void reload();
  };
  const mayPayByCard = hasRole(me, 'reseller_finance');
  const open = inv && !isZero(inv.amountDue) && (inv.status === 'ISSUED' || inv.status === 'PARTIALLY_PAID');

  const pdf = async () => {
    if (!inv) return;
    setPdfError(null);
    try {
      await download(
        client.GET('/api/v1/invoices/{id}/pdf', {
          params: { path: { id: inv.id } },
          headers: { Accept: 'application/pdf' },
          parseAs: 'blob',
        }),
        `${inv.number}.pdf`,
      );
    } catch (e) {
      setPdfError(e);
    }
  };

  return (
    <section>
      <PageHeader title={inv ? `Invoice ${inv.number}` : 'Invoice'}>
        {inv && (
          <button type="button" onClick={pdf}>
            Download PDF
          </button>
        )}
        <Link to="/invoices">All invoices</Link>
      </PageHeader>
      <ErrorBanner error={error} />
      <ErrorBanner error={pdfError} title="The PDF could not be downloaded" />
      {paid && <Notice kind="success">{paid}</Notice>}
      {loading && !inv ? (
        <Loading what="Loading the invoice" />
      ) : inv ? (
        <>
          <dl className="facts">
            {resellers.distributor && (
              <div>
                <dt>Reseller</dt>
                <dd>{inv.resellerName}</dd>
              </div>
            )}
            <div>
              <dt>Status</dt>
              <dd>
                <Status value={inv.status} />
              </dd>
            </div>
            <div>
              <dt>Issued</dt>
              <dd>
                <DateText value={inv.issueDate} />
              </dd>
            </div>
            <div>
              <dt>Due</dt>
              <dd>
                <DateText value={inv.dueDate} />
              </dd>
            </div>
            <div>
              <dt>Paid</dt>
              <dd>
                <Money amount={inv.amountPaid} currency={inv.currency} />
              </dd>
            </div>
            {!isZero(inv.amountCredited) && (
              <div>
                <dt>Credited</dt>
                <dd>
                  <Money amount={inv.amountCredited} currency={inv.currency} />
                </dd>
              </div>
            )}
            <div>
              <dt>Open hardware / cloud</dt>
              <dd>
                <Money amount={inv.open.HARDWARE} currency={inv.currency} /> / <Money amount={inv.open.CLOUD} currency={inv.currency} />
              </dd>
            </div>
            <div>
              <dt>Amount due</dt>
              <dd className="emphasis">
                <Money amount={inv.amountDue} currency={inv.currency} />
              </dd>
            </div>
          </dl>

          <TableRegion label="Invoice lines">
            <table>
              <caption>Lines</caption>
              <thead>
                <tr>
                  <th scope="col">Description</th>
                  <th scope="col">Credit line</th>
                  <th scope="col" className="num">
                    Qty
                  </th>
                  <th scope="col" className="num">
                    Net
                  </th>
                  <th scope="col" className="num">
                    Tax
                  </th>
                  <th scope="col" className="num">
                    Gross
                  </th>
                </tr>
              </thead>
              <tbody>
                {inv.lines.map((l) => (
                  <tr key={l.id}>
                    <td>
                      {l.description}
                      <div className="muted small">
                        {l.sku}
                        {l.periodStart && l.periodEnd && (
                          <>
                            {' · '}
                            <DateText value={l.periodStart} /> – <DateText value={l.periodEnd} />
                          </>
                        )}
                        {!isZero(l.creditedNet) && (
                          <>
                            {' · credited '}
                            <Money amount={l.creditedNet} currency={inv.currency} /> net
                          </>
                        )}
                      </div>
                    </td>
                    <td>
                      <span className={`kind kind-${l.creditLine.toLowerCase()}`}>
                        {l.creditLine === 'HARDWARE' ? 'Hardware' : 'Cloud'}
                      </span>
                    </td>
                    <td className="num">{l.quantity}</td>
                    <td className="num">
                      <Money amount={l.net} currency={inv.currency} />
                    </td>
                    <td className="num">
                      <Money amount={l.tax} currency={inv.currency} />
                    </td>
                    <td className="num">
                      <Money amount={l.gross} currency={inv.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                {(['HARDWARE', 'CLOUD', 'all'] as const).map((k) => (
                  <tr key={k} className={k === 'all' ? 'grand-total' : undefined}>
                    <th scope="row" colSpan={3}>
                      {k === 'all' ? 'Total' : k === 'HARDWARE' ? 'Hardware subtotal' : 'Cloud subtotal'}
                    </th>
                    <td className="num">
                      <Money amount={inv.totals[k].net} currency={inv.currency} />
                    </td>
                    <td className="num">
                      <Money amount={inv.totals[k].tax} currency={inv.currency} />
                    </td>
                    <td className="num">
                      <Money amount={inv.totals[k].gross} currency={inv.currency} />
                    </td>
                  </tr>
                ))}
              </tfoot>
            </table>
          </TableRegion>

          {inv.creditNotes && inv.creditNotes.length > 0 && (
            <TableRegion label="Credit notes">
              <table>
                <caption>Credit notes</caption>
                <thead>
                  <tr>
                    <th scope="col">Number</th>
                    <th scope="col">Issued</th>
                    <th scope="col">Reason</th>
                    <th scope="col" className="num">
                      Gross
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {inv.creditNotes.map((c) => (
                    <tr key={c.id}>
                      <td>{c.number}</td>
                      <td>
                        <DateText value={c.issueDate} />
                      </td>
                      <td>{c.reason}</td>
                      <td className="num">
                        <Money amount={c.totals.all.gross} currency={inv.currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
          )}

          {hasRole(me, 'finance', 'admin') && (
            <div className="finance-actions" aria-label="Finance actions" role="group">
              <h2>Finance actions</h2>
              {hasRole(me, 'finance') && open && (
                <RecordPaymentForm
                  key={`pay-${inv.amountDue}`}
                  resellerId={inv.resellerId}
                  currency={inv.currency as Currency}
                  invoice={inv}
                  onDone={done}
                />
              )}
              {hasRole(me, 'finance') && inv.status !== 'WRITTEN_OFF' && <CreditNoteForm invoice={inv} onDone={done} />}
              {open && <WriteOffForm key={`wo-${inv.amountDue}`} invoice={inv} onDone={done} />}
              <p>
                <Link to={`/resellers/${inv.resellerId}/account`}>Account of {inv.resellerName}: statement, payments, refunds</Link>
              </p>
            </div>
          )}

          {mayPayByCard && open && (
            <div className="card pay-card">
              <h2>Pay by card</h2>
              {!config.cardPayments || !config.stripePublishableKey ? (
                <div className="banner banner-warning" role="status" data-testid="card-not-configured">
                  <strong>Card payments are not configured.</strong>
                  <p>Pay by bank transfer quoting invoice {inv.number}; your distributor records the payment.</p>
                </div>
              ) : paying ? (
                <Suspense fallback={<Loading what="Loading the card form" />}>
                  <CardPayment
                    invoice={inv}
                    publishableKey={config.stripePublishableKey}
                    onDone={(message) => {
                      setPaying(false);
                      setPaid(message);
                      void reload();
                    }}
                    onCancel={() => setPaying(false)}
                  />
                </Suspense>
              ) : (
                <button type="button" className="primary" onClick={() => setPaying(true)}>
                  Pay <Money amount={inv.amountDue} currency={inv.currency} /> by card
                </button>
              )}
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}
