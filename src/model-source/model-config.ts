// What a checkpoint's config.json says that selection needs (DESIGN §13): its precision (torch_dtype, else
// quantization_config), the attention heads that bound tp, and the shape of its KV cache. Pure.
import { NimletError } from '../errors.js';
import type { ModelShape } from '../manifest/types.js';

type Obj = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
const obj = (v: unknown): Obj | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null);

const DTYPES: Record<string, string> = { bfloat16: 'bf16', float16: 'fp16', half: 'fp16', float32: 'fp32', float: 'fp32' };

/**
 * The precision tag of the checkpoint. quantization_config wins over torch_dtype (the compute dtype of a
 * quantised model): quant_method fp8 → fp8; awq / gptq with 4 bits → int4_awq / int4_gptq; ModelOpt's
 * quant_algo (hf_quant_config.json's, also written into config.json) FP8 / NVFP4 → fp8 / nvfp4.
 */
export function checkpointPrecision(config: Obj): string {
  const q = obj(config.quantization_config);
  if (q !== null) {
    const method = String(q.quant_method ?? '').toLowerCase();
    const algo = String(q.quant_algo ?? '').toLowerCase();
    const bits = num(q.bits) ?? num(q.w_bit);
    if (method === 'fp8' || algo === 'fp8') return 'fp8';
    if (algo === 'nvfp4' || method === 'nvfp4') return 'nvfp4';
    if ((method === 'awq' || method === 'gptq') && bits === 4) return `int4_${method}`;
    if (method === 'bitsandbytes' || method !== '') return method === 'bitsandbytes' ? 'int4_bnb' : method;
  }
  const dtype = String(config.torch_dtype ?? config.dtype ?? 'bfloat16').toLowerCase();
  return DTYPES[dtype] ?? dtype;
}

/** Bytes per value of the KV cache: the compute dtype (fp8 checkpoints still keep a bf16 cache by default). */
function kvBytes(config: Obj): number {
  const dtype = String(config.torch_dtype ?? config.dtype ?? 'bfloat16').toLowerCase();
  return dtype === 'float32' || dtype === 'float' ? 4 : 2;
}

/** Attention heads, for tp: a language model's own config, or its text_config (multimodal wrappers). */
export function textConfig(config: Obj): Obj {
  return num(config.num_attention_heads) === null ? (obj(config.text_config) ?? config) : config;
}

/** The model's shape for the memory estimate; weightBytes is the sum of its safetensors files. */
export function modelShape(config: Obj, weightBytes: number, repo: string): ModelShape {
  const c = textConfig(config);
  const heads = num(c.num_attention_heads);
  const layers = num(c.num_hidden_layers);
  const hidden = num(c.hidden_size);
  if (heads === null || layers === null || hidden === null) {
    throw new NimletError('manifest-invalid', `config.json of ${repo} has no num_attention_heads, num_hidden_layers and hidden_size`, {
      hint: 'nimlet builds profiles for decoder language models in Hugging Face layout; write a manifest for this one (--manifest)',
    });
  }
  return {
    weightBytes,
    layers,
    attentionHeads: heads,
    kvHeads: num(c.num_key_value_heads) ?? heads,
    headDim: num(c.head_dim) ?? hidden / heads,
    kvBytesPerValue: kvBytes(c),
    maxContext: num(c.max_position_embeddings) ?? num(c.max_sequence_length) ?? 4096,
  };
}
