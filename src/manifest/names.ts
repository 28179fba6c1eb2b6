// A profile's name, built from its tags the way NIM 1.x wrote them and users type them (DESIGN §4):
// tensorrt_llm-h100-fp8-tp1-latency, vllm-bf16-tp2, vllm-bf16-tp1-lora, tensorrt_llm-h100-fp8-tp2-pp2-throughput.

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** `feat_lora` as NIM writes it ('true'/'false'); Python-style 'True' counts too. */
export function isLoraTags(tags: Readonly<Record<string, string>>): boolean {
  return tags.feat_lora?.trim().toLowerCase() === 'true';
}

/** Non-LLM NIMs (embedding, reranking, MolMIM) have `backend` instead of `llm_engine`. */
function nonLlmName(tags: Readonly<Record<string, string>>): string {
  const parts = [tags.backend, tags.precision, tags.gpu?.toLowerCase(), tags.profile].filter(present);
  return parts.length > 0 ? parts.join('-') : 'profile';
}

/** `{engine}-{gpu}-{precision}-tp{tp}[-pp{pp}]-{profile}[-lora]`; absent parts are left out. */
export function profileName(tags: Readonly<Record<string, string>>): string {
  const engine = tags.llm_engine;
  if (!present(engine)) return nonLlmName(tags);
  const parts = [engine];
  if (present(tags.gpu)) parts.push(tags.gpu.toLowerCase());
  if (present(tags.precision)) parts.push(tags.precision);
  if (present(tags.tp)) parts.push(`tp${tags.tp}`);
  // NIM leaves out pp1: `vllm-bf16-tp2` and `vllm-bf16-tp2-pp1` are one profile to a user.
  if (present(tags.pp) && Number(tags.pp) > 1) parts.push(`pp${tags.pp}`);
  if (present(tags.profile)) parts.push(tags.profile);
  if (isLoraTags(tags)) parts.push('lora');
  return parts.join('-');
}
