// NIMLET_ENGINES (DESIGN §2, §8): the engines the image has, as the Dockerfile declares them from its engine base,
// optionally with their versions (`vllm@0.11.2,tensorrt_llm@1.2.0`). Declared, nimlet trusts it and detects
// nothing; a bad value is exit 78 naming the variable, never a silent guess. Pure.
import { NimletError } from '../errors.js';
import { ENGINES, type Engine } from '../manifest/types.js';

export interface EngineDeclaration {
  engine: Engine;
  /** The engine's release (`1.2.0`, `0.11.1rc2`, `0.5.3.post1`); null when not declared. */
  version: string | null;
}

/** Spellings people use for TensorRT-LLM, all meaning the manifest's `tensorrt_llm`. */
const ALIASES: Record<string, Engine> = { vllm: 'vllm', sglang: 'sglang', tensorrt_llm: 'tensorrt_llm', 'tensorrt-llm': 'tensorrt_llm', trtllm: 'tensorrt_llm' };

// A release as Python packages write them: digits and dots, then an optional pre/post/dev/local suffix.
const VERSION = /^\d+(\.\d+){0,3}([a-z0-9.+-]*)$/i;

function bad(raw: string, why: string): NimletError {
  return new NimletError('bad-config', `NIMLET_ENGINES=${JSON.stringify(raw)} is not valid: ${why}`, {
    hint: `set NIMLET_ENGINES to a comma list of ${ENGINES.join(', ')}, each optionally with @version (e.g. vllm@0.11.2), or unset it to detect the engines`,
  });
}

/** The declared engines, in the order given; null when NIMLET_ENGINES is unset or empty. */
export function readEngines(raw: string | undefined): EngineDeclaration[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const out: EngineDeclaration[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') throw bad(raw, 'it has an empty item');
    const at = item.indexOf('@');
    const name = (at < 0 ? item : item.slice(0, at)).toLowerCase();
    const engine = ALIASES[name];
    if (engine === undefined) throw bad(raw, `"${name}" is no engine nimlet starts`);
    const version = at < 0 ? null : item.slice(at + 1);
    if (version !== null && !VERSION.test(version)) throw bad(raw, `"${version}" is no version of ${engine}`);
    if (out.some((d) => d.engine === engine)) throw bad(raw, `${engine} is named twice`);
    out.push({ engine, version });
  }
  return out;
}
