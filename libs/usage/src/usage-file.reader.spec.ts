import { Readable } from 'stream';
import { CURRENCIES } from '#disty/core';
import { UsageCopyTransform, UsageFileError } from './usage-file.reader';

/** What the transform hands to COPY for a file given in chunks. */
async function staged(chunks: string[], format: 'csv' | 'jsonl' = 'csv'): Promise<string[]> {
  const t = new UsageCopyTransform(format, { today: '2026-11-05', currencies: new Set(CURRENCIES) });
  let out = '';
  for await (const c of Readable.from(chunks.map((s) => Buffer.from(s))).pipe(t)) out += String(c);
  return out.split('\n').filter(Boolean);
}

const HEADER = 'RecordId,RecordVersion,TenantId,MeterId,UsageDate,Quantity,Unit,VendorUnitCost,Currency\n';

describe('UsageCopyTransform', () => {
  it('stages a plain line of the documented column order checked, with its file line number, whatever the chunking', async () => {
    const file = `${HEADER}R1,1,T1,VM,2026-10-01,24,hour,0.07,AUD\r\n\nR2,1,T1,VM,2026-10-02,24,hour,0.07,AUD`;
    const whole = await staged([file]);
    expect(whole).toEqual(['2,R1,1,T1,VM,2026-10-01,24,hour,0.07,AUD,,', '4,R2,1,T1,VM,2026-10-02,24,hour,0.07,AUD,,']);
    expect(await staged(file.match(/.{1,7}/gs)!)).toEqual(whole);
  });

  it('maps other column orders and aliases, quotes what COPY must read as one value, gives a failed check its reason, and marks a NUL line malformed', async () => {
    const lines = await staged(['Quantity,TenantId,Id,MeterId,Date\n', '"1,5",T1,R1,VM,2026-10-01\n', '2,T1,R\u00002,VM,2026-10-01\n']);
    expect(lines).toEqual([
      '2,R1,,T1,VM,2026-10-01,,,,,bad-quantity,"quantity 1,5 is not a number ≥ 0 with at most 6 decimals"',
      '3,R2,,T1,VM,,,,,,malformed,a field holds a NUL character',
    ]);
  });

  it('reads JSON lines and marks a line that is not an object', async () => {
    const lines = await staged(
      ['{"recordId":"R1","tenantId":"T1","meterId":"VM","usageDate":"2026-10-01","quantity":2.5}\n[1]\n{bad\n'],
      'jsonl',
    );
    expect(lines).toEqual([
      '1,R1,1,T1,VM,2026-10-01,2.5,,,,,',
      '2,,,,,,,,,,malformed,a line must hold one JSON object',
      '3,,,,,,,,,,malformed,malformed JSON line',
    ]);
  });

  it('refuses a header without the required columns', async () => {
    await expect(staged(['RecordId,TenantId\nx,y\n'])).rejects.toBeInstanceOf(UsageFileError);
  });
});
