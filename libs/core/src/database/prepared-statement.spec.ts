import { preparedQueryConfig, preparedStatement, preparedStatementsEnabled } from './prepared-statement';

describe('preparedStatement', () => {
  it('answers the same name and text for a repeated identical declaration', () => {
    const a = preparedStatement('spec.same', 'SELECT 1');
    const b = preparedStatement('spec.same', 'SELECT 1');
    expect(b).toEqual(a);
  });

  it('refuses a second text under a name already declared (a connection would refuse it at run time)', () => {
    preparedStatement('spec.clash', 'SELECT 1');
    expect(() => preparedStatement('spec.clash', 'SELECT 2')).toThrow(/declared twice/);
  });

  it('drops the name when DB_PREPARED_STATEMENTS=off, so a transaction pooler sees unnamed statements', () => {
    const stmt = preparedStatement('spec.switch', 'SELECT $1::int');
    expect(preparedStatementsEnabled({})).toBe(true);
    expect(preparedStatementsEnabled({ DB_PREPARED_STATEMENTS: 'on' })).toBe(true);
    for (const off of ['off', 'OFF', 'false', '0']) expect(preparedStatementsEnabled({ DB_PREPARED_STATEMENTS: off })).toBe(false);
    expect(preparedQueryConfig(stmt, [1], true)).toEqual({
      name: 'spec.switch',
      text: 'SELECT $1::int',
      values: [1],
    });
    expect(preparedQueryConfig(stmt, [1], false)).toEqual({ text: 'SELECT $1::int', values: [1] });
  });
});
