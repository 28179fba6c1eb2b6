// Custom resources (NIMCache, NIMService, LeaderWorkerSet) against the OpenAPI schemas of the CRDs in
// ../shared/k8s/crds, read where they lie. Checked strictly, as `kubectl apply` (field validation Strict) does:
// a field a schema does not declare is an error unless the schema preserves unknown fields. The pod template
// schema embedded in the LeaderWorkerSet CRD also checks the pod templates of built-in kinds strictly, which
// kubernetes-models (api-schemas.ts) does not.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, readObjects, type K8sObject } from './objects.js';

type Schema = Record<string, unknown>;

/** additionalProperties: false wherever a schema lists properties and neither allows nor preserves others. */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node as Schema)) out[k] = k === 'properties' ? mapValues(v as Schema, strict) : strict(v);
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}
const mapValues = (o: Schema, f: (v: unknown) => unknown): Schema => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

export interface CrdSchemas {
  /** "group/version Kind" → validator */
  kinds: Map<string, ValidateFunction>;
  podTemplate: ValidateFunction | null;
}

export function loadCrdSchemas(crdDir: string): CrdSchemas {
  // OpenAPI v3 as Kubernetes writes it: x-kubernetes-* keywords and formats such as int-or-string are not JSON
  // Schema, so unknown keywords and formats are ignored; `nullable` is understood; patterns are Go's (RE2), so
  // not compiled with the u flag, which rejects escapes such as \- .
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
  const kinds = new Map<string, ValidateFunction>();
  let podTemplate: ValidateFunction | null = null;
  for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const crd of readObjects(path.join(crdDir, file))) {
      const spec = crd.spec as { group: string; names: { kind: string }; versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }> };
      for (const v of spec.versions) {
        const schema = strict(v.schema.openAPIV3Schema) as Schema;
        kinds.set(`${spec.group}/${v.name} ${spec.names.kind}`, ajv.compile(schema));
        if (spec.names.kind === 'LeaderWorkerSet' && podTemplate === null) {
          const lwt = (((schema.properties as Schema).spec as Schema).properties as Schema).leaderWorkerTemplate as Schema;
          podTemplate = ajv.compile((lwt.properties as Schema).workerTemplate as Schema);
        }
      }
    }
  }
  return { kinds, podTemplate };
}

const errorsOf = (o: K8sObject, at: string, f: ValidateFunction): string[] =>
  (f.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
    return `${describe(o)}: ${at}${e.instancePath || ''} ${e.message ?? 'is invalid'}${extra}`;
  });

/** A custom resource against its CRD; null when no CRD here defines its kind. */
export function crdProblems(o: K8sObject, schemas: CrdSchemas): string[] | null {
  const validate = schemas.kinds.get(`${o.apiVersion} ${o.kind}`);
  if (!validate) return null;
  return validate(o) ? [] : errorsOf(o, '', validate);
}

/** The pod template of a Pod, Deployment or Job, strictly (unknown fields are errors). */
export function podTemplateProblems(o: K8sObject, schemas: CrdSchemas): string[] {
  if (!schemas.podTemplate) return [];
  const spec = o.spec as Schema | undefined;
  const [at, template] = o.kind === 'Pod' ? ['', { metadata: o.metadata, spec }] : ['/spec/template', spec?.template];
  if (!template) return [];
  return schemas.podTemplate(template) ? [] : errorsOf(o, at, schemas.podTemplate);
}
