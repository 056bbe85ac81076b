import { preparedStatement } from './prepared-statement';

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
});
