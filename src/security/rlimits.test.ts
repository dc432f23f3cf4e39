import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RLIM_INFINITY, RLIM_INFINITY_BIGINT, parseUlimit, rlimitResource, rlimitToBigInt } from './rlimits.ts';

describe('rlimitResource', () => {
  it('maps docker names to kernel numbers and OCI types', () => {
    assert.deepEqual(rlimitResource('nofile'), { number: 7, type: 'RLIMIT_NOFILE' });
    assert.deepEqual(rlimitResource('nproc'), { number: 6, type: 'RLIMIT_NPROC' });
    assert.deepEqual(rlimitResource('RLIMIT_CORE'), { number: 4, type: 'RLIMIT_CORE' });
    assert.equal(rlimitResource('rttime').number, 15);
  });

  it('rejects an unknown name, including inherited object keys', () => {
    assert.throws(() => rlimitResource('files'), { code: 'ISOLA_INVALID_OPTION', option: '--ulimit' });
    assert.throws(() => rlimitResource('constructor'), { code: 'ISOLA_INVALID_OPTION' });
  });
});

describe('parseUlimit', () => {
  it('reads soft and hard limits', () => {
    assert.deepEqual(parseUlimit('nofile=1024:2048'), { name: 'nofile', soft: 1024, hard: 2048 });
  });

  it('uses the soft limit as the hard one when only one value is given', () => {
    assert.deepEqual(parseUlimit('nproc=512'), { name: 'nproc', soft: 512, hard: 512 });
  });

  it('reads unlimited and -1 as infinity', () => {
    assert.deepEqual(parseUlimit('core=unlimited'), { name: 'core', soft: RLIM_INFINITY, hard: RLIM_INFINITY });
    assert.deepEqual(parseUlimit('core=0:-1'), { name: 'core', soft: 0, hard: RLIM_INFINITY });
  });

  it('rejects negative, non-numeric and malformed values', () => {
    for (const text of ['nofile=-2', 'nofile=abc', 'nofile=1.5', 'nofile=', 'nofile', '=1', 'nofile=1:2:3', 'nofile=1e3']) {
      assert.throws(() => parseUlimit(text), { code: 'ISOLA_INVALID_OPTION' }, text);
    }
  });

  it('rejects a soft limit above the hard limit, also against unlimited', () => {
    assert.throws(() => parseUlimit('nofile=2048:1024'), { code: 'ISOLA_INVALID_OPTION' });
    assert.throws(() => parseUlimit('nofile=unlimited:1024'), { code: 'ISOLA_INVALID_OPTION' });
  });

  it('rejects values too large to be exact, pointing at unlimited', () => {
    assert.throws(() => parseUlimit('fsize=18446744073709551615'), { code: 'ISOLA_INVALID_OPTION' });
  });

  it('rejects an unknown resource name', () => {
    assert.throws(() => parseUlimit('files=10'), { code: 'ISOLA_INVALID_OPTION' });
  });
});

describe('rlimitToBigInt', () => {
  it('turns infinity, as JSON.parse reads it from config.json, into the exact u64', () => {
    const parsed = JSON.parse('{"hard": 18446744073709551615}') as { hard: number };
    assert.equal(rlimitToBigInt(parsed.hard), 18446744073709551615n);
    assert.equal(rlimitToBigInt(RLIM_INFINITY), RLIM_INFINITY_BIGINT);
    assert.equal(rlimitToBigInt(-1), RLIM_INFINITY_BIGINT);
  });

  it('keeps finite values exact', () => {
    assert.equal(rlimitToBigInt(1048576), 1048576n);
    assert.equal(rlimitToBigInt(0), 0n);
  });

  it('rejects fractions and other negatives', () => {
    assert.throws(() => rlimitToBigInt(1.5), { code: 'ISOLA_INVALID_OPTION' });
    assert.throws(() => rlimitToBigInt(-2), { code: 'ISOLA_INVALID_OPTION' });
  });
});
