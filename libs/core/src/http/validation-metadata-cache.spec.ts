import 'reflect-metadata';
import { getMetadataStorage, IsInt, IsString, Min, registerDecorator, validateSync } from 'class-validator';
import { cacheValidationRules } from './validation-metadata-cache';

class Base {
  @IsString()
  name!: unknown;
}

class Derived extends Base {
  @IsInt()
  count!: unknown;

  @Min(10, { groups: ['strict'] })
  level!: unknown;
}

const failing = (o: object, groups?: string[]) =>
  validateSync(o, groups ? { groups } : {})
    .map((e) => e.property)
    .sort();

const make = <T extends object>(type: new () => T, values: Record<string, unknown>): T => Object.assign(new type(), values);

describe('cacheValidationRules', () => {
  const storage = getMetadataStorage();
  beforeAll(() => cacheValidationRules(storage));

  it('keeps inherited rules and tells group sets apart', () => {
    expect(failing(make(Derived, { name: 1, count: 'x', level: 50 }))).toEqual(['count', 'name']);
    expect(failing(make(Derived, { name: 1, count: 'x', level: 1 }))).toEqual(['count', 'level', 'name']);
    expect(failing(make(Derived, { name: 1, count: 'x', level: 1 }), ['strict'])).toEqual(['level']);
    expect(failing(make(Derived, { name: 'a', count: 2, level: 50 }))).toEqual([]);
  });

  it('sees a rule registered after a class was first validated, and a class declared later', () => {
    const ok = make(Derived, { name: 'a', count: 2, level: 50 });
    expect(failing(ok)).toEqual([]);
    registerDecorator({
      name: 'notFifty',
      target: Derived,
      propertyName: 'level',
      validator: { validate: (v: unknown) => v !== 50 },
    });
    expect(failing(ok)).toEqual(['level']);

    class Later extends Derived {
      @IsString()
      extra!: unknown;
    }
    expect(failing(make(Later, { name: 'a', count: 2, level: 20, extra: 3 }))).toEqual(['extra']);
  });

  it('is applied once however often it is called', () => {
    const wrapped = storage.getTargetValidationMetadatas;
    cacheValidationRules(storage);
    expect(storage.getTargetValidationMetadatas).toBe(wrapped);
  });
});
