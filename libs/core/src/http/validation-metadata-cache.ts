import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Rules = ReturnType<Storage['getTargetValidationMetadatas']>;

const cached = new WeakSet<Storage>();

/**
 * Makes class-validator look a class's rules up once instead of on every object it validates
 * (docs/performance.md §16).
 *
 * For each object, class-validator collects the rules of its class and of the classes it extends by
 * testing every decorated class of the process (`instanceof`, 125 classes here): an order body
 * with four lines is five such scans. The answer only changes when a rule is registered, so it is
 * kept per class and per set of options (schema, `always`, `strictGroups`, groups), and every
 * registration of a rule drops what was kept. Idempotent: the storage is process-wide.
 */
export function cacheValidationRules(storage: Storage = getMetadataStorage()): void {
  if (cached.has(storage)) return;
  cached.add(storage);
  let byClass = new WeakMap<object, Map<string, Rules>>();
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const register = storage.addValidationMetadata.bind(storage);
  storage.addValidationMetadata = (metadata) => {
    byClass = new WeakMap();
    register(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    let forClass = byClass.get(target);
    if (!forClass) byClass.set(target, (forClass = new Map()));
    const key = JSON.stringify([schema, always, strictGroups, groups ?? null]);
    let rules = forClass.get(key);
    if (!rules) forClass.set(key, (rules = lookUp(target, schema, always, strictGroups, groups)));
    return rules;
  };
}
