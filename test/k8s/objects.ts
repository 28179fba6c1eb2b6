// Kubernetes objects for the tests: rendered from an overlay with `kubectl kustomize` (the same command CI and
// users run), or read from a YAML file of several documents (../shared/k8s/operator/*.yaml, read where it lies).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type K8sObject = { apiVersion?: string; kind?: string; metadata?: { name?: string }; [key: string]: unknown };

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const overlaysDir = path.join(repoRoot, 'deploy/kubernetes/overlays');
export const overlayNames = ['plain', 'air-gapped', 'nim-operator', 'multi-node'] as const;
/** ../shared/k8s beside the checkout; absent on machines without ../shared, where its checks are skipped. */
export const sharedK8sDir = path.resolve(repoRoot, '../shared/k8s');
export const hasSharedK8s = existsSync(path.join(sharedK8sDir, 'crds'));

export function parseObjects(text: string, source: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${source}: document ${i + 1}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    return value && typeof value === 'object' ? [value as K8sObject] : [];
  });
}

export function readObjects(file: string): K8sObject[] {
  return parseObjects(readFileSync(file, 'utf8'), file);
}

export function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `kubectl kustomize DIR`: the objects an overlay renders to (its deprecation warnings go to stderr). */
export function renderOverlay(dir: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseObjects(text, dir);
}

export const describe = (o: K8sObject): string => `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`;
