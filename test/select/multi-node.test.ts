// Selection across a LeaderWorkerSet group (DESIGN §14): a profile fits when tp × pp = nodes × this node's GPUs of
// its model; the operator's tp/pp are honoured; TensorRT-LLM is refused with its reason; the listing says so.
import { describe, expect, it } from 'vitest';
import { evaluateProfiles } from '../../src/select/evaluate.js';
import { formatProfiles } from '../../src/select/listing.js';
import { host, many, profile, request } from './build.js';

const h100 = { gpu: 'H100', gpu_device: '2330:10de', precision: 'bf16' };
const tp8pp2 = profile({ llm_engine: 'vllm', ...h100, tp: '8', pp: '2' });
const tp8pp4 = profile({ llm_engine: 'vllm', ...h100, tp: '8', pp: '4' });
const tp4 = profile({ llm_engine: 'vllm', ...h100, tp: '4' });

describe('multi-node selection', () => {
  it('single node: tp 8 × pp 2 on 8 GPUs does not fit; a group of 2 fits on all 8 of this node', () => {
    const [single] = evaluateProfiles([tp8pp2], host(many('H100', 8)), request());
    expect([single!.status, single!.reasons]).toEqual(['incompatible', ['needs 16 × 2330:10de (H100), found 8', 'across nodes it fits: 2 nodes × 8 GPUs, with NIM_MULTI_NODE=1 (docs/multi-node.md)']]);
    const [e] = evaluateProfiles([tp8pp2], host(many('H100', 8)), request({ multiNode: { nodes: 2 } }));
    expect([e!.status, e!.gpus, e!.tp, e!.pp, e!.multiNode]).toEqual(['runnable', [0, 1, 2, 3, 4, 5, 6, 7], 8, 2, 'multi-node: 2 nodes × 8 GPUs']);
    expect(e!.reasons[0]).toBe('multi-node: 2 nodes × 8 GPUs');
  });

  it('a group of 4 takes tp 8 × pp 4 on 8 GPUs each; 8 GPUs of 4 nodes is 2 each', () => {
    const four = request({ multiNode: { nodes: 4 } });
    expect(evaluateProfiles([tp8pp4], host(many('H100', 8)), four)[0]!.multiNode).toBe('multi-node: 4 nodes × 8 GPUs');
    expect(evaluateProfiles([tp8pp2], host(many('H100', 8)), four)[0]!.multiNode).toBe('multi-node: 4 nodes × 4 GPUs');
  });

  it('this node short of its share: the reason says it is this node\'s', () => {
    const [e] = evaluateProfiles([tp8pp2], host(many('H100', 4)), request({ multiNode: { nodes: 2 } }));
    expect(e!.reasons).toEqual(['on this node (1 of 2): needs 8 × 2330:10de (H100), found 4']);
  });

  it('a size the group cannot share evenly, and the operator\'s tp/pp when they differ from the tags', () => {
    const [odd] = evaluateProfiles([tp4], host(many('H100', 8)), request({ multiNode: { nodes: 3 } }));
    expect(odd!.reasons).toContain('needs 4 GPUs (tp 4 × pp 1), which 3 nodes cannot share evenly');
    const [other] = evaluateProfiles([tp8pp4], host(many('H100', 8)), request({ multiNode: { nodes: 2 }, tensorParallelSize: 8, pipelineParallelSize: 2 }));
    expect(other!.reasons).toContain('the group was made for tp 8 × pp 2 (NIM_TENSOR_PARALLEL_SIZE, NIM_PIPELINE_PARALLEL_SIZE); this profile is tp 8 × pp 4');
  });

  it('TensorRT-LLM across nodes is refused with its reason', () => {
    const trt = profile({ llm_engine: 'tensorrt_llm', ...h100, tp: '8', pp: '2' });
    const [e] = evaluateProfiles([trt], host(many('H100', 8)), request({ multiNode: { nodes: 2 } }));
    expect(e!.status).toBe('incompatible');
    expect(e!.reasons[0]).toMatch(/^TensorRT-LLM across nodes needs mpirun over ssh/);
  });

  it('the listing shows the group on the runnable line', () => {
    const req = request({ multiNode: { nodes: 2 } });
    const text = formatProfiles(evaluateProfiles([tp8pp2], host(many('H100', 8)), req), { request: req, explain: false, selection: null }).join('\n');
    expect(text).toContain(`${tp8pp2.id} (${tp8pp2.name}) [multi-node: 2 nodes × 8 GPUs]`);
  });
});
