import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { createValidationPipe } from '#disty/core';
import { AppModule } from './app.module';

/** The validation rules kept per class (docs/performance.md §16) are class-validator's own, for every DTO of the API. */
describe('validation rules of the API, kept per class', () => {
  const storage = getMetadataStorage();
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  beforeAll(() => createValidationPipe());

  it('equal class-validator’s own lookup for every decorated class, with and without groups', () => {
    expect(AppModule).toBeDefined(); // every module, so every DTO, is loaded
    const classes = [...(storage as unknown as { validationMetadatas: Map<new () => object, unknown> }).validationMetadatas.keys()];
    expect(classes.length).toBeGreaterThan(100);
    expect(storage.getTargetValidationMetadatas).not.toBe(Object.getPrototypeOf(storage).getTargetValidationMetadatas); // wrapped
    for (const type of classes) {
      for (const [always, strictGroups, groups] of [
        [false, false, undefined],
        [true, false, undefined],
        [false, true, []],
        [false, false, ['strict']],
      ] as const) {
        const args = [type, '', always, strictGroups, groups as string[] | undefined] as const;
        const kept = storage.getTargetValidationMetadatas(...args);
        expect(storage.getTargetValidationMetadatas(...args)).toBe(kept); // looked up once
        expect(kept).toEqual(lookUp(...args));
      }
    }
  });
});
