// The NIM 1.x workspace (also in legacy lists): `components: [{dst, src: {repo_id, files: [!name 'f']}}]`.
// Each file becomes `{path: dst/name, uri: ngc://<repo_id>?file=<name>}`.
import { z } from 'zod';
import type { KeyPath } from '../problems.js';
import type { WorkspaceFile } from '../types.js';
import { WorkspaceClaims, workspacePath } from '../workspace-paths.js';
import { addError, addWarning, checkSource, type ReadContext } from './context.js';

const componentSchema = z.looseObject({
  dst: z.string().nullish(),
  src: z.looseObject({
    repo_id: z.string().min(1).optional(),
    files: z.array(z.string().min(1)).optional(),
  }),
});

export const componentsWorkspaceSchema = z.looseObject({ components: z.array(componentSchema) }).nullish();
export type ComponentsWorkspace = z.output<typeof componentsWorkspaceSchema>;

// Characters that would change the meaning of the `?file=` query.
const encodeQuery = (name: string): string => name.replace(/[%&+#\s]/g, (c) => encodeURIComponent(c));

function repoBase(repoId: string): string {
  if (repoId.startsWith('hf://')) return repoId;
  return `ngc://${repoId.replace(/^ngc:\/\//, '')}`;
}

/** The workspace's files in the normal form; problems go to ctx under `at` (the workspace's key path). */
export function componentFiles(ctx: ReadContext, workspace: ComponentsWorkspace, at: KeyPath): WorkspaceFile[] {
  const files: WorkspaceFile[] = [];
  const claims = new WorkspaceClaims();
  (workspace?.components ?? []).forEach((component, i) => {
    const here = [...at, 'components', i];
    const { repo_id: repoId, files: names } = component.src;
    if (repoId === undefined) addWarning(ctx, [...here, 'src'], 'no repo_id: its files have no source nimlet can fetch');
    else checkSource(ctx, `${repoBase(repoId)}?file=${encodeQuery(names?.[0] ?? 'file')}`, [...here, 'src', 'repo_id']);
    if (names === undefined) {
      addWarning(ctx, [...here, 'src'], 'no files list: nimlet cannot tell which files to fetch');
      return;
    }
    const dst = component.dst ?? '';
    names.forEach((name, j) => {
      const where = [...here, 'src', 'files', j];
      const joined = workspacePath(dst === '' ? name : `${dst.replace(/\/+$/, '')}/${name}`);
      if (joined === null) return addError(ctx, where, `${JSON.stringify(name)} under dst ${JSON.stringify(dst)} is not a relative path inside the workspace`);
      const clash = claims.claim(joined, false);
      if (clash !== null) return addError(ctx, where, clash);
      const uri = repoId === undefined ? '' : `${repoBase(repoId)}?file=${encodeQuery(name)}`;
      files.push({ path: joined, uri, sha256: null, size: null, extract: false });
    });
  });
  return files;
}
