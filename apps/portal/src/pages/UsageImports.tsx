import { FormEvent, useState } from 'react';
import { client, download, ok } from '../api';
import { Empty, ErrorBanner, Loading, PageHeader, Pager, Stat, Status, useAsync, TableRegion } from '../components/ui';
import type { UsageImport } from '../contract';
import { formatInt } from '../format';
import { VendorField } from '../components/VendorField';
import { uploadFile, UploadProgress, usageContentType } from '../upload';

const PAGE_SIZE = 50;

/**
 * Vendor usage files (docs/consumption.md §3): upload a CSV or JSON-lines file, follow its upload
 * and rating, then see its counts and the rejected lines (with their reasons), downloadable as CSV.
 */
export function UsageImportsPage() {
  const vendors = useAsync(() => ok(client.GET('/api/v1/vendors', { params: { query: { pageSize: 200 } } })), []);
  const [vendorId, setVendorId] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [result, setResult] = useState<UsageImport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || !vendorId) return;
    setBusy(true);
    setError(null);
    setResult(null);
    setProgress({ sent: 0, total: file.size });
    try {
      const path = `/usage/imports?vendorId=${encodeURIComponent(vendorId)}&fileName=${encodeURIComponent(file.name)}`;
      setResult(await uploadFile<UsageImport>(path, file, usageContentType(file), setProgress));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };

  return (
    <section>
      <PageHeader title="Usage imports" />
      <p className="lead">
        The vendor’s daily usage file: CSV with a header, or JSON lines. Re-importing a file changes nothing; a higher record version
        corrects a record.
      </p>
      <form className="card toolbar" onSubmit={(e) => void submit(e)} aria-labelledby="upload-title">
        <h2 id="upload-title" className="sr-only">
          Upload a usage file
        </h2>
        <VendorField id="usage-vendor" vendors={vendors.data?.items ?? []} value={vendorId} onChange={setVendorId} />
        <div className="field">
          <label htmlFor="usage-file">Usage file</label>
          <input
            id="usage-file"
            type="file"
            accept=".csv,.jsonl,.ndjson,text/csv"
            required
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <button type="submit" className="primary" disabled={busy || !file || !vendorId}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </form>
      <ErrorBanner error={vendors.error} title="The vendors could not be loaded" />
      <ErrorBanner error={error} title="The file was not imported" />
      {progress && <ImportProgress progress={progress} />}
      {result && <ImportResult run={result} />}
    </section>
  );
}

function ImportProgress({ progress }: { progress: UploadProgress }) {
  const done = progress.total > 0 && progress.sent >= progress.total;
  const pct = progress.total > 0 ? Math.min(100, Math.floor((progress.sent * 100) / progress.total)) : 0;
  return (
    <div className="card" role="status" aria-live="polite" data-testid="usage-import-progress">
      <p>{done ? 'Uploaded; checking, rating and posting the usage…' : `Uploading: ${pct} %`}</p>
      <progress max={100} value={done ? undefined : pct} aria-label="Import progress" />
    </div>
  );
}

function ImportResult({ run }: { run: UsageImport }) {
  const [page, setPage] = useState(1);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const rejections = useAsync(
    () =>
      run.rowsRejected > 0
        ? ok(
            client.GET('/api/v1/usage/imports/{id}/rejections', {
              params: { path: { id: run.id }, query: { page, pageSize: PAGE_SIZE } },
            }),
          )
        : Promise.resolve(null),
    [run.id, run.rowsRejected, page],
  );
  const downloadCsv = async () => {
    setDownloadError(null);
    try {
      await download(
        client.GET('/api/v1/usage/imports/{id}/rejections', {
          params: { path: { id: run.id } },
          headers: { Accept: 'text/csv' },
          parseAs: 'blob',
        }),
        `usage-import-${run.id}-rejections.csv`,
      );
    } catch (e) {
      setDownloadError(e);
    }
  };
  return (
    <div className="card" aria-live="polite" data-testid="usage-import-result">
      <h2>
        {run.fileName ?? 'Usage file'} <Status value={run.status} />
      </h2>
      {run.error && <ErrorBanner error={new Error(run.error)} title="The import failed; nothing of the file took effect" />}
      <dl className="stats">
        <Stat label="Lines read">{formatInt(run.rowsRead)}</Stat>
        <Stat label="Imported" tone="ok">
          {formatInt(run.rowsAccepted)}
        </Stat>
        <Stat label="Corrections">{formatInt(run.rowsCorrected)}</Stat>
        <Stat label="Already imported">{formatInt(run.rowsDuplicate)}</Stat>
        <Stat label="Rejected" tone={run.rowsRejected > 0 ? 'danger' : undefined}>
          {formatInt(run.rowsRejected)}
        </Stat>
      </dl>
      {run.rowsRejected > 0 && (
        <>
          <h3>Rejected lines</h3>
          <div className="toolbar">
            <button type="button" onClick={() => void downloadCsv()}>
              Download rejected lines (CSV)
            </button>
          </div>
          <ErrorBanner error={downloadError} title="The CSV could not be downloaded" />
          <ErrorBanner error={rejections.error} />
          {rejections.loading && !rejections.data ? (
            <Loading what="Loading the rejected lines" />
          ) : !rejections.data || rejections.data.items.length === 0 ? (
            <Empty>No rejected lines.</Empty>
          ) : (
            <TableRegion label="Rejected lines">
              <table>
                <caption className="sr-only">Rejected lines of the usage file</caption>
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      Line
                    </th>
                    <th scope="col">Record</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {rejections.data.items.map((r) => (
                    <tr key={r.lineNo}>
                      <td className="num">{r.lineNo}</td>
                      <td>{r.recordId ?? '—'}</td>
                      <td>
                        <code>{r.reason}</code>
                      </td>
                      <td>{r.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={page} pageSize={PAGE_SIZE} total={rejections.data.total} onPage={setPage} />
            </TableRegion>
          )}
        </>
      )}
    </div>
  );
}
