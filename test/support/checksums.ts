/** One md5 per table of the public schema, in one statement: "did anything change?" */
export async function tableChecksums(query: (sql: string) => Promise<Array<Record<string, string>>>): Promise<Record<string, string>> {
  const tables = await query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  if (!tables.length) return {};
  const sql = tables
    .map(({ table_name: t }) => `SELECT '${t}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${t}" x`)
    .join(' UNION ALL ');
  const rows = await query(sql);
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
}
