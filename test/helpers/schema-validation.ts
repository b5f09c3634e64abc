/**
 * Validates synthesized objects: built-in kinds with kubernetes-models (Kubernetes API schemas),
 * custom resources with the CRD schemas extracted into test/schemas/crd-schemas.json. Unknown fields in
 * custom resources are errors (as with `kubectl apply --validate=strict`).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import crdSchemas from '../schemas/crd-schemas.json';

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

type CrdEntry = { scope: string; source: string; schema: Record<string, unknown> };
const CRDS = crdSchemas as unknown as Record<string, CrdEntry>;

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

export function validateObject(obj: K8sObject): string[] {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const crd = CRDS[`${group}/${version}/${obj.kind}`];
  if (crd) return validateCustomResource(obj, `${group}/${version}/${obj.kind}`, crd);
  return validateBuiltIn(obj, group, version);
}

function validateBuiltIn(obj: K8sObject, group: string, version: string): string[] {
  const modulePath = `kubernetes-models/${group === '' ? '' : `${group}/`}${version}/${obj.kind}`;
  let Model: new (data: unknown) => { validate(): void };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Model = require(modulePath)[obj.kind];
  } catch {
    return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  }
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [String((err as Error).message)];
  }
}

function validateCustomResource(obj: K8sObject, key: string, crd: CrdEntry): string[] {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(strictify(crd.schema, true));
    compiled.set(key, validate);
  }
  const errors: string[] = [];
  if (!validate(obj)) errors.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
  if (crd.scope === 'Cluster' && obj.metadata.namespace !== undefined) errors.push('cluster-scoped object has metadata.namespace');
  if (crd.scope === 'Namespaced' && obj.metadata.namespace === undefined) errors.push('namespaced object has no metadata.namespace');
  return errors;
}

/** CRD structural schema -> JSON Schema that rejects unknown fields and accepts int-or-string. */
function strictify(schema: Record<string, unknown>, top: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith('x-kubernetes-') || k === 'nullable') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, Record<string, unknown>>).map(([p, s]) => [p, strictify(s, false)]));
    } else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && v && typeof v === 'object') {
      out[k] = strictify(v as Record<string, unknown>, false);
    } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      out[k] = v.map((s) => strictify(s as Record<string, unknown>, false));
    } else {
      out[k] = v;
    }
  }
  if (schema['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (top) {
    // metadata is validated as ObjectMeta by the API server; here only its shape.
    out.properties = { ...(out.properties as object), metadata: { type: 'object' }, apiVersion: { type: 'string' }, kind: { type: 'string' } };
  }
  if (out.properties && !schema['x-kubernetes-preserve-unknown-fields'] && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}
