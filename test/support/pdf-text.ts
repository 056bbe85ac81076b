/**
 * The text drawn in an uncompressed pdfkit PDF, one string per TJ (text run), joined by newlines.
 * Runs in an embedded (CID) font are decoded through the font's ToUnicode CMap; runs in a standard
 * font are read as Latin-1.
 */
export function pdfText(pdf: Buffer): string {
  const src = pdf.toString('latin1');
  const objects = new Map<string, string>();
  for (const m of src.matchAll(/(\d+) 0 obj([\s\S]*?)endobj/g)) objects.set(m[1], m[2]);
  const cmaps = new Map<string, Map<number, string>>();
  const cmapOf = (fontRef: string): Map<number, string> | null => {
    if (cmaps.has(fontRef)) return cmaps.get(fontRef)!;
    const font = objects.get(fontRef) ?? '';
    const ref = /\/ToUnicode (\d+) 0 R/.exec(font)?.[1];
    if (!ref) return null;
    const map = new Map<number, string>();
    const body = objects.get(ref) ?? '';
    const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');
    for (const r of body.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*\[([^\]]*)\]/g)) {
      const start = parseInt(r[1], 16);
      [...r[3].matchAll(/<([0-9a-fA-F]+)>/g)].forEach((u, i) => map.set(start + i, utf16(u[1])));
    }
    for (const block of body.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
      for (const c of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(parseInt(c[1], 16), utf16(c[2]));
    }
    cmaps.set(fontRef, map);
    return map;
  };
  const resources = new Map<string, string>();
  for (const m of src.matchAll(/\/Font\s*<<([^>]*)>>/g)) {
    for (const f of m[1].matchAll(/\/(\w+) (\d+) 0 R/g)) resources.set(f[1], f[2]);
  }
  const out: string[] = [];
  let cmap: Map<number, string> | null = null;
  for (const m of src.matchAll(/\/(\w+) [\d.]+ Tf|\[([^\]]*)\]\s*TJ/g)) {
    if (m[1]) {
      const ref = resources.get(m[1]);
      cmap = ref ? cmapOf(ref) : null;
      continue;
    }
    const hex = [...m[2].matchAll(/<([0-9a-fA-F]+)>/g)].map((h) => h[1]).join('');
    if (cmap) {
      let s = '';
      for (let i = 0; i + 4 <= hex.length; i += 4) s += cmap.get(parseInt(hex.slice(i, i + 4), 16)) ?? '\uFFFD';
      out.push(s);
    } else {
      out.push(Buffer.from(hex, 'hex').toString('latin1'));
    }
  }
  return out.join('\n');
}
