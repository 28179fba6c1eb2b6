// The Kubernetes API's own schemas for the built-in kinds, from the npm package kubernetes-models (generated from
// the Kubernetes OpenAPI spec, one precompiled ajv validator per type, kept up by its author since 2019 and used by
// cdk8s-style tooling): no schema download at test time and types, enums and required fields checked as the API
// server does. Version 4.x because 5.x asks for Node >= 22 and nimlet runs on Node 20.
// It ignores unknown fields; crd-schemas.ts checks pod templates strictly where ../shared/k8s is present.
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { describe, type K8sObject } from './objects.js';

type Model = new (data: never) => { validate(): void };
const models: Record<string, Record<string, unknown>> = {
  v1: core, 'apps/v1': apps, 'batch/v1': batch, 'policy/v1': policy, 'rbac.authorization.k8s.io/v1': rbac,
};

/** True when this package knows the object's apiVersion and kind. */
export function isBuiltIn(o: K8sObject): boolean {
  return typeof models[o.apiVersion ?? '']?.[o.kind ?? ''] === 'function';
}

/** One line per schema violation of a built-in object; [] when it validates. */
export function apiSchemaProblems(o: K8sObject): string[] {
  const model = models[o.apiVersion ?? '']?.[o.kind ?? ''] as Model | undefined;
  if (!model) return [`${describe(o)}: no Kubernetes API schema for ${o.apiVersion} ${o.kind}`];
  try {
    new model(o as never).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: Array<{ instancePath: string; message?: string }> }).errors;
    if (!errors) return [`${describe(o)}: ${(e as Error).message}`];
    return errors.map((err) => `${describe(o)}: ${err.instancePath || '/'} ${err.message ?? 'is invalid'}`);
  }
}
