import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PATH, buildContainerEnv, envValue, mergeEnv, parseEnvFile } from './env.ts';

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines verbatim, skipping comments and blank lines', () => {
    const text = '# comment\n\nA=1\n  B= spaced value \nC="quoted"\nD=x=y\r\n   # indented comment\n';
    assert.deepEqual(parseEnvFile(text, 'app.env'), ['A=1', 'B= spaced value ', 'C="quoted"', 'D=x=y']);
  });

  it('fills a bare KEY from the lookup and drops it when the lookup lacks it', () => {
    assert.deepEqual(parseEnvFile('HOME\nMISSING\nUSER  \n', 'app.env', { HOME: '/home/me', USER: 'me' }), ['HOME=/home/me', 'USER=me']);
  });

  it('keeps an empty value', () => {
    assert.deepEqual(parseEnvFile('EMPTY=\n', 'app.env'), ['EMPTY=']);
  });

  it('ignores a byte order mark at the start', () => {
    assert.deepEqual(parseEnvFile('\uFEFFA=1', 'app.env'), ['A=1']);
  });

  it('rejects a line without a name or with whitespace in the name', () => {
    assert.throws(() => parseEnvFile('=value', 'app.env'), { code: 'ISOLA_INVALID_OPTION', option: '--env-file app.env line 1' });
    assert.throws(() => parseEnvFile('A=1\nMY VAR=1', 'app.env'), { code: 'ISOLA_INVALID_OPTION', option: '--env-file app.env line 2' });
    assert.throws(() => parseEnvFile('MY VAR', 'app.env'), { code: 'ISOLA_INVALID_OPTION' });
    assert.throws(() => parseEnvFile('B =1', 'app.env'), { code: 'ISOLA_INVALID_OPTION' });
  });
});

describe('mergeEnv', () => {
  it('replaces a key in place and appends new keys in order', () => {
    assert.deepEqual(mergeEnv(['A=1', 'B=2', 'C=3'], ['B=20', 'D=4', 'A=10']), ['A=10', 'B=20', 'C=3', 'D=4']);
  });

  it('lets a later duplicate in one list win', () => {
    assert.deepEqual(mergeEnv(['A=1', 'A=2']), ['A=2']);
  });

  it('does not confuse a key with a longer key sharing its prefix', () => {
    assert.deepEqual(mergeEnv(['AB=1'], ['A=2']), ['AB=1', 'A=2']);
  });
});

describe('envValue', () => {
  it('returns the last value of a key and undefined when absent', () => {
    assert.equal(envValue(['A=1', 'A=2=3'], 'A'), '2=3');
    assert.equal(envValue(['AB=1'], 'A'), undefined);
  });
});

describe('buildContainerEnv', () => {
  it('adds PATH, HOSTNAME, TERM with a terminal and HOME from the user', () => {
    const env = buildContainerEnv({ env: ['X=1'], hostname: 'web', hasTerminal: true, home: '/home/app' });
    assert.deepEqual(env, [`PATH=${DEFAULT_PATH}`, 'HOSTNAME=web', 'TERM=xterm', 'X=1', 'HOME=/home/app']);
  });

  it('adds no TERM without a terminal and HOME=/ without a home', () => {
    const env = buildContainerEnv({ env: [], hasTerminal: false });
    assert.deepEqual(env, [`PATH=${DEFAULT_PATH}`, 'HOME=/']);
  });

  it('keeps PATH, TERM and HOME the image or user set', () => {
    const env = buildContainerEnv({ env: ['PATH=/opt/bin', 'HOME=/data', 'TERM=dumb'], hostname: 'h', hasTerminal: true, home: '/root' });
    assert.deepEqual(env, ['PATH=/opt/bin', 'HOSTNAME=h', 'TERM=dumb', 'HOME=/data']);
  });
});
