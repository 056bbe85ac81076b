import Ajv, { ValidateFunction } from 'ajv';

type Json = Record<string, unknown>;
type Doc = {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Json; responses: Record<string, Json> };
};

/**
 * JSON Schema (what ajv checks) from OpenAPI 3.0 schemas: `nullable` becomes a `null` alternative,
 * and, strictly, an object with properties allows no others, so an answer with a field the contract
 * does not name fails as surely as one missing a required field.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const s: Json = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'example' && k !== 'nullable') s[k] = toJsonSchema(v);
  if (typeof s.$ref === 'string') s.$ref = s.$ref.replace('#/components/', 'contract#/components/');
  if (s.type === 'object' && s.properties && s.additionalProperties === undefined) s.additionalProperties = false;
  if ((node as Json).nullable !== true) return s;
  if (typeof s.type === 'string' && !s.allOf)
    return { ...s, type: [s.type, 'null'], ...(Array.isArray(s.enum) ? { enum: [...s.enum, null] } : {}) };
  return { anyOf: [s, { type: 'null' }] };
}

/** Checks an answer's body against the schema the document gives its operation, status and media type. */
export function contractValidator(doc: Doc) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'contract', components: { schemas: toJsonSchema(doc.components.schemas) } });
  const cache = new Map<string, ValidateFunction>();
  return (method: string, path: string, status: number, body: unknown, media = 'application/json'): string[] => {
    let response = (doc.paths[path]?.[method.toLowerCase()]?.responses as Record<string, Json> | undefined)?.[String(status)];
    if (!response) return [`${method} ${path} does not document ${status}`];
    if (typeof response.$ref === 'string') response = doc.components.responses[response.$ref.split('/').pop()!];
    const schema = (response.content as Record<string, { schema?: unknown }> | undefined)?.[media]?.schema;
    if (!schema) return [`${method} ${path} ${status} has no ${media} schema`];
    const key = `${method} ${path} ${status} ${media}`;
    let validate = cache.get(key);
    if (!validate) cache.set(key, (validate = ajv.compile(toJsonSchema(schema) as object)));
    return validate(body)
      ? []
      : (validate.errors ?? []).map(
          (e) =>
            `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`,
        );
  };
}
