// Problems found while reading a manifest: each points at a line and a key path, so a user can fix them all in
// one pass. Formatting lives here so every layout writes them the same way.

/** A key path into the manifest as written: map keys and list indices. */
export type KeyPath = readonly (string | number)[];

export interface Problem {
  line: number;
  path: KeyPath;
  message: string;
}

const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** `profiles[0].workspace.files["config.json"].uri`; the document itself is `(root)`. */
export function formatKeyPath(path: KeyPath): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `<file>:<line>: <key.path>: <message>` */
export function formatProblem(file: string, p: Problem): string {
  return `${file}:${p.line}: ${formatKeyPath(p.path)}: ${p.message}`;
}

/** A short, safe rendering of a value the user wrote, for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
