import { describe, expect, it } from 'vitest';
import { displayUrl, formatCommandLine, hideUrlUserinfo, redactArgv, redactedCause, redactText } from '../../src/log/redact.js';

describe('redactArgv', () => {
  it.each([
    ['a value after a secret flag', ['vllm', 'serve', '--api-key', 'sk-1', '--port', '8000'], ['vllm', 'serve', '--api-key', '***', '--port', '8000']],
    ['--flag=value forms', ['x', '--hf-token=hf_abc', '--ssl-keyfile-password=pw'], ['x', '--hf-token=***', '--ssl-keyfile-password=***']],
    ['--token and --secret', ['x', '--token', 't', '--client-secret', 's'], ['x', '--token', '***', '--client-secret', '***']],
    ['flags that merely contain a word stay', ['x', '--max-num-batched-tokens', '8192', '--tokenizer', '/t'], ['x', '--max-num-batched-tokens', '8192', '--tokenizer', '/t']],
    ['KEY=value words', ['env', 'HF_TOKEN=hf_1', 'NGC_API_KEY=nv', 'AWS_SECRET_ACCESS_KEY=a', 'PATH=/bin'], ['env', 'HF_TOKEN=***', 'NGC_API_KEY=***', 'AWS_SECRET_ACCESS_KEY=***', 'PATH=/bin']],
    ['a trailing secret flag without a value', ['x', '--api-key'], ['x', '--api-key']],
  ])('%s', (_n, argv, expected) => expect(redactArgv(argv)).toEqual(expected));

  it('replaces the known token strings anywhere', () => {
    expect(redactArgv(['x', '--hf-overrides', '{"t":"nvapi-XYZ123"}', 'https://u:hf_tok99@h/'], ['nvapi-XYZ123', 'hf_tok99', null]))
      .toEqual(['x', '--hf-overrides', '{"t":"***"}', 'https://***@h/']);
  });
});

describe('redactText', () => {
  it('ignores secrets too short to search for (under 8 characters)', () => {
    expect(redactText('hf_tok9 abcdefg', ['hf_tok9', 'abcdefg'])).toBe('hf_tok9 abcdefg');
    expect(redactText('hf_tok98', ['hf_tok98'])).toBe('***');
  });
  it('hides tokens and Authorization values', () => {
    expect(redactText('key nvapi-XYZ123 and hf_abcdef; Authorization: Bearer zzz', ['nvapi-XYZ123', 'hf_abcdef', null])).toBe('key *** and ***; Authorization: Bearer ***');
  });
  it('replaces the longest first', () => expect(redactText('token-XYZ token-XY', ['token-XY', 'token-XYZ'])).toBe('*** ***'));
});

describe('displayUrl and redactedCause', () => {
  it('a signed URL loses its query', () => expect(displayUrl('https://cdn.example/a/b.bin?X-Amz-Signature=secret')).toBe('https://cdn.example/a/b.bin'));
  it('a cause keeps its code and name, its message redacted, nothing else', () => {
    const err = Object.assign(new Error('GET https://u:pw@h/x with nvapi-XYZ123 failed'), { code: 'ECONNRESET', options: { token: 'nvapi-XYZ123' } });
    const out = redactedCause(err, ['nvapi-XYZ123']);
    expect([out.message, (out as { code?: string }).code, out.name, 'options' in out]).toEqual(['GET https://***@h/x with *** failed', 'ECONNRESET', 'Error', false]);
  });
});

describe('formatCommandLine', () => {
  it('quotes words a shell would split', () => {
    expect(formatCommandLine(['vllm', 'serve', '/m dir', "it's", '--api-key', 'k'])).toBe(`vllm serve '/m dir' 'it'\\''s' --api-key '***'`);
  });
});

describe('hideUrlUserinfo', () => {
  it.each([
    ['HF_ENDPOINT=http://u:pw@127.0.0.1:8/x', 'HF_ENDPOINT=http://***@127.0.0.1:8/x'],
    ['"https://token@mirror.example/a?b=c@d"', '"https://***@mirror.example/a?b=c@d"'],
    ['see https://mirror.example/a@b and git+ssh://git@host/r', 'see https://mirror.example/a@b and git+ssh://***@host/r'],
    ['no url: user@host', 'no url: user@host'],
  ])('%s', (text, want) => {
    expect(hideUrlUserinfo(text)).toBe(want);
  });
});
