// The one error type nimlet throws on purpose: a code, the exit status it maps to (sysexits), a one-line
// message and a hint telling the user what to do. Only the CLI's top level prints it and sets the exit code.

/** Exit statuses, documented in the README; 128+N for an engine ended by signal N is added by the runner. */
export const EXIT = {
  ok: 0,
  usage: 64,
  manifestInvalid: 65,
  notFound: 66,
  unavailable: 69,
  internal: 70,
  cacheNotWritable: 73,
  io: 74,
  network: 75,
  credentials: 77,
  config: 78,
  notExecutable: 126,
  commandNotFound: 127,
} as const;

export type ErrorCode =
  | 'usage'
  | 'manifest-invalid'
  | 'not-found'
  | 'no-gpu'
  | 'gpu-probe-failed'
  | 'no-runnable-profile'
  | 'profile-not-runnable'
  | 'internal'
  | 'cache-not-writable'
  | 'io'
  | 'disk-full'
  | 'checksum-mismatch'
  | 'network'
  | 'credentials'
  | 'bad-config'
  | 'unknown-profile'
  | 'offline-incomplete'
  | 'engine-not-executable'
  | 'engine-not-found'
  | 'interrupted';

const exitCodeOf: Record<ErrorCode, number> = {
  usage: EXIT.usage,
  'manifest-invalid': EXIT.manifestInvalid,
  'not-found': EXIT.notFound,
  'no-gpu': EXIT.unavailable,
  'gpu-probe-failed': EXIT.unavailable,
  'no-runnable-profile': EXIT.unavailable,
  'profile-not-runnable': EXIT.unavailable,
  internal: EXIT.internal,
  'cache-not-writable': EXIT.cacheNotWritable,
  io: EXIT.io,
  'disk-full': EXIT.io,
  'checksum-mismatch': EXIT.io,
  network: EXIT.network,
  credentials: EXIT.credentials,
  'bad-config': EXIT.config,
  'unknown-profile': EXIT.config,
  'offline-incomplete': EXIT.notFound,
  'engine-not-executable': EXIT.notExecutable,
  'engine-not-found': EXIT.commandNotFound,
  interrupted: 143,
};

export interface NimletErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Extra lines shown under the message: every manifest problem, every profile's reason. */
  details?: readonly string[];
  /** Overrides the code's default exit status (a signal's 128+N). */
  exitCode?: number;
}

export class NimletError extends Error {
  override readonly name = 'NimletError';
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint: string | undefined;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: NimletErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.exitCode = options.exitCode ?? exitCodeOf[code];
    this.hint = options.hint;
    this.details = options.details ?? [];
  }

  toJSON(): Record<string, unknown> {
    return {
      error: this.code,
      exitCode: this.exitCode,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details.length ? { details: this.details } : {}),
    };
  }
}

export function isNimletError(e: unknown): e is NimletError {
  return e instanceof NimletError;
}
