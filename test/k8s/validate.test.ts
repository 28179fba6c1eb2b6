// Every overlay of deploy/kubernetes renders with `kubectl kustomize` and each object validates; so do the NIM
// Operator's generated objects in ../shared/k8s/operator; a fixture with deliberate faults fails each check.
// kubectl: CI's k8s step installs Debian's kubernetes-client where it is missing; without it these tests are
// skipped here (the step itself then fails, so CI never passes without them). ../shared/k8s absent: the CRD
// checks are skipped, the rest still runs.
import { beforeAll, describe, expect, test } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadCrdSchemas, type CrdSchemas } from './crd-schemas.js';
import { hasSharedK8s, kubectlAvailable, overlayNames, overlaysDir, readObjects, renderOverlay, repoRoot, sharedK8sDir } from './objects.js';
import { checks, validateObjects } from './validate.js';

let crds: CrdSchemas | null = null;
beforeAll(() => {
  if (hasSharedK8s) crds = loadCrdSchemas(path.join(sharedK8sDir, 'crds'));
}, 60_000);

describe.skipIf(!kubectlAvailable())('deploy/kubernetes overlays (kubectl kustomize)', () => {
  test.each(overlayNames)('%s renders and every object validates', (name) => {
    const objects = renderOverlay(path.join(overlaysDir, name));
    expect(objects.length).toBeGreaterThan(0);
    expect(validateObjects(objects, checks(crds))).toEqual([]);
  });

  test('every overlay is one the tests render', () => {
    expect(readdirSync(overlaysDir).sort()).toEqual([...overlayNames].sort());
  });
});

describe.skipIf(!hasSharedK8s)("the NIM Operator's objects (../shared/k8s/operator)", () => {
  const files = hasSharedK8s ? readdirSync(path.join(sharedK8sDir, 'operator')).filter((f) => f.endsWith('.yaml')) : [];
  test.each(files)('%s validates, its probes and ports are ones nimlet answers', (file) => {
    const objects = readObjects(path.join(sharedK8sDir, 'operator', file));
    // the operator also sets variables nimlet has no use for (the multi-node ones): its probes and ports are held
    // to nimlet, its variable names are not
    expect(validateObjects(objects, checks(crds, false))).toEqual([]);
  });
});

describe('a deliberately broken Deployment fails validation', () => {
  const broken = readObjects(path.join(repoRoot, 'test/fixtures/k8s/broken-deployment.yaml'));
  test('a probe path typo and a misspelt variable fail nimlet’s own checks', () => {
    const problems = validateObjects(broken, checks(null)).join('\n');
    expect(problems).toContain('readinessProbe path /v1/health/redy is not one nimlet answers');
    expect(problems).toContain('env NIM_DISABLE_MODEL_DOWNLAOD is not a variable nimlet reads');
    expect(problems).not.toContain('livenessProbe path');
  });
  test('a wrong type fails the Kubernetes API schema', () => {
    expect(validateObjects(broken, checks(null))).toContain('Deployment/broken: /spec/replicas must be integer');
  });
  test.skipIf(!hasSharedK8s)('an unknown field fails the strict pod template schema', () => {
    expect(validateObjects(broken, checks(crds))).toContain(
      'Deployment/broken: /spec/template/spec/containers/0/livenessProbe/httpGet must NOT have additional properties (prot)');
  });
  test('the fixed Deployment passes', () => {
    const fixed = JSON.parse(JSON.stringify(broken[0]).replace('redy', 'ready').replace('DOWNLAOD', 'DOWNLOAD')
      .replace(',"prot":"HTTP"', '').replace('"two"', '2'));
    expect(validateObjects([fixed], checks(crds))).toEqual([]);
  });
});
