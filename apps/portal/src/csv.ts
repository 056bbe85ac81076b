/**
 * CSV export of what a list page shows (docs/portal-ux.md §1): the rows of a rendered table,
 * written by csv-stringify's browser build.
 */
import { stringify } from 'csv-stringify/browser/esm/sync';

/** A signed amount, alone or with its currency ("-12.50", "-12.50 AUD"): data, not a formula. */
const AMOUNT = /^-\d+(\.\d+)?( [A-Z]{3})?$/;

/**
 * A cell a spreadsheet would run as a formula (first character =, +, -, @, tab or carriage return)
 * gets a leading apostrophe; negative amounts stay as they are.
 */
export function defuse(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !AMOUNT.test(value) ? `'${value}` : value;
}

/** RFC 4180 CSV (CRLF line ends) of a header and rows. */
export function toCsv(rows: string[][]): string {
  return stringify(
    rows.map((r) => r.map(defuse)),
    { record_delimiter: 'windows' },
  );
}

/**
 * A cell's value for the export: its `data-csv` attribute when set; a lone amount (the Money
 * component) as "1234.50 AUD", unformatted; otherwise the text a reader sees, spaces collapsed.
 */
export function cellValue(cell: Element): string {
  const explicit = cell.getAttribute('data-csv');
  if (explicit !== null) return explicit;
  const money = cell.querySelectorAll('.money[data-amount]');
  if (money.length === 1 && money[0].textContent?.trim() === cell.textContent?.trim()) {
    const amount = money[0].getAttribute('data-amount') ?? '';
    const currency = money[0].getAttribute('data-currency') ?? '';
    return currency && amount ? `${amount} ${currency}` : amount;
  }
  const copy = cell.cloneNode(true) as Element;
  copy
    .querySelectorAll('.sr-only, [aria-hidden="true"], button:not(.sort-button), input, select, [data-csv-skip]')
    .forEach((e) => e.remove());
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * A table's header row and body rows as strings. Columns whose header is marked `data-csv-skip`
 * or is empty (controls such as "Add to cart") are left out; footer rows (totals) come last.
 */
export function tableRows(table: HTMLTableElement): string[][] {
  const headRow = table.tHead?.rows[table.tHead.rows.length - 1];
  if (!headRow) return [];
  const keep: number[] = [];
  const header: string[] = [];
  const heads = columnSlots(headRow);
  heads.forEach((th, i) => {
    const text = cellValue(th);
    if (th.hasAttribute('data-csv-skip') || !text || (i > 0 && heads[i - 1] === th)) return;
    keep.push(i);
    header.push(text);
  });
  const out = [header];
  const bodies = [...Array.from(table.tBodies), ...(table.tFoot ? [table.tFoot] : [])];
  for (const body of bodies) {
    for (const tr of Array.from(body.rows)) {
      const slots = columnSlots(tr);
      // A note spanning the whole row is not data.
      if (slots.length !== heads.length || (slots.length > 1 && slots.every((c) => c === slots[0]))) continue;
      out.push(keep.map((i) => (i > 0 && slots[i] === slots[i - 1] ? '' : cellValue(slots[i]))));
    }
  }
  return out;
}

/** A row's cells by column: a cell spanning n columns fills n slots. */
export function columnSlots(tr: HTMLTableRowElement): HTMLTableCellElement[] {
  return Array.from(tr.cells).flatMap((c) => Array<HTMLTableCellElement>(Math.max(1, c.colSpan)).fill(c));
}

/** Hands `text` to the browser as a file download. */
export function saveFile(text: string, filename: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
