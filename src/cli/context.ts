// What a command needs from the outside world, passed in so tests can run commands in-process.
import type { Env } from '../config/read.js';

export interface CliContext {
  env: Env;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stderr is a terminal (spinners, colour) */
  stderrIsTTY: boolean;
  /** Aborted on SIGTERM/SIGINT while nimlet itself is working (downloads stop cleanly). */
  signal: AbortSignal;
}

/** Options every command may receive; each command reads the ones it declares in program.ts. */
export interface CommonOptions {
  manifest?: string;
  cache?: string;
  json?: boolean;
  explain?: boolean;
  verbose?: boolean;
  dryRun?: boolean;
  repair?: boolean;
  requireChecksums?: boolean;
  profile?: string;
  profiles?: string[];
  all?: boolean;
  modelStore?: string;
  /** download-to-cache --model-uri hf://…: the model without a manifest (the NIM Operator's cache Job). */
  modelUri?: string;
  /** download-to-cache --manifest-file F: where the manifest built from --model-uri is written (never read). */
  manifestFile?: string;
}

/** A command's entry point: returns the exit status; throws NimletError for expected failures. */
export type CommandRun = (ctx: CliContext, options: CommonOptions, args: string[]) => Promise<number>;
