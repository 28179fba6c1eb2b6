// All checks of a set of Kubernetes objects, one line per problem: the Kubernetes API schemas for built-in kinds,
// the CRDs' schemas for custom resources and, strictly, for pod templates (when ../shared/k8s is present), and
// nimlet's own checks. An object no schema knows is a problem, never passed unchecked.
import { apiSchemaProblems, isBuiltIn } from './api-schemas.js';
import { crdProblems, podTemplateProblems, type CrdSchemas } from './crd-schemas.js';
import { nimletProblems, variablesNimletReads } from './nimlet-checks.js';
import { describe, type K8sObject } from './objects.js';

/** reads null: variable names are not checked (objects nimlet does not write, such as the operator's). */
export interface Checks { crds: CrdSchemas | null; reads: Set<string> | null }

export function checks(crds: CrdSchemas | null, variables = true): Checks {
  return { crds, reads: variables ? variablesNimletReads() : null };
}

export function validateObjects(objects: K8sObject[], c: Checks): string[] {
  return objects.flatMap((o) => {
    const problems: string[] = [];
    if (isBuiltIn(o)) {
      problems.push(...apiSchemaProblems(o));
      if (c.crds) problems.push(...podTemplateProblems(o, c.crds));
    } else {
      const crd = c.crds ? crdProblems(o, c.crds) : null;
      if (crd) problems.push(...crd);
      else if (c.crds) problems.push(`${describe(o)}: no schema for ${o.apiVersion} ${o.kind}`);
    }
    problems.push(...nimletProblems(o, c.reads));
    return problems;
  });
}
