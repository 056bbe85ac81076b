import { ValueTransformer } from 'typeorm';
import { Dec } from './decimal';

/** numeric ↔ Decimal. `pg` returns numeric as a string on purpose; it never becomes a float. */
export const decimalTransformer: ValueTransformer = {
  to: (value: Dec | string | null | undefined) => (value == null ? value : value.toString()),
  from: (value: string | null) => (value == null ? value : new Dec(value)),
};
