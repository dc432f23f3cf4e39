import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RLIM_INFINITY, rlimitToBigInt } from '../security/index.ts';
import { generateConfig } from './generate.ts';
import { makeInput } from './options.test-helper.ts';
import { serializeOciConfig } from './serialize.ts';

describe('serializeOciConfig', () => {
  it('writes an unlimited rlimit as the exact uint64 18446744073709551615', () => {
    const config = generateConfig(makeInput({}, { ulimits: [{ name: 'core', soft: RLIM_INFINITY, hard: RLIM_INFINITY }] }));
    const text = serializeOciConfig(config);
    assert.match(text, /"soft": 18446744073709551615,/);
    assert.doesNotMatch(text, /18446744073709552000/);
  });

  it('reads back into the same config, infinity included', () => {
    const config = generateConfig(makeInput({}, { ulimits: [{ name: 'core', soft: 0, hard: RLIM_INFINITY }] }));
    const parsed = JSON.parse(serializeOciConfig(config)) as typeof config;
    assert.deepEqual(parsed, config);
    const core = parsed.process?.rlimits?.find((r) => r.type === 'RLIMIT_CORE');
    assert.equal(rlimitToBigInt(core?.hard ?? 0), 2n ** 64n - 1n);
  });
});
