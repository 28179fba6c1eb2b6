// One doctor check's verdict: ok, warn (works, but look at this) or fail (nimlet cannot serve here).
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

export function check(name: string, status: CheckStatus, detail: string, hint?: string): Check {
  return hint === undefined ? { name, status, detail } : { name, status, detail, hint };
}
