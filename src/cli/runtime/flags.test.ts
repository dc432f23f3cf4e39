import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flagBoolean, flagList, flagString, parseRuntimeArgs, preserveFdsFlag } from './flags.ts';

const specs = [
  { name: 'bundle', aliases: ['b'], takesValue: true }, { name: 'detach', aliases: ['d'], takesValue: false },
  { name: 'env', aliases: ['e'], takesValue: true, isRepeatable: true },
];

test('flags take one or two dashes, = or a separate value, and stop at the first positional', () => {
  const args = parseRuntimeArgs(['-b', '/b', '--detach', '--env=A=1', '-e', 'B=2', 'id', '--bundle', 'x'], specs);
  assert.equal(flagString(args, 'bundle'), '/b');
  assert.equal(flagBoolean(args, 'detach'), true);
  assert.deepEqual(flagList(args, 'env'), ['A=1', 'B=2']);
  assert.deepEqual(args.positionals, ['id', '--bundle', 'x']);
});

test('a boolean may be given as =false, and an unknown flag or a missing value is an error', () => {
  assert.equal(flagBoolean(parseRuntimeArgs(['--detach=false'], specs), 'detach'), false);
  assert.throws(() => parseRuntimeArgs(['--nope'], specs), { code: 'ISOLA_INVALID_OPTION' });
  assert.throws(() => parseRuntimeArgs(['--bundle'], specs), { code: 'ISOLA_INVALID_OPTION' });
  assert.throws(() => flagBoolean(parseRuntimeArgs(['--detach=maybe'], specs), 'detach'), { code: 'ISOLA_INVALID_OPTION' });
});

test('--preserve-fds takes a count of fds, 0 when absent, and refuses anything else', () => {
  const spec = [{ name: 'preserve-fds', takesValue: true }];
  assert.equal(preserveFdsFlag(parseRuntimeArgs([], spec)), 0);
  assert.equal(preserveFdsFlag(parseRuntimeArgs(['--preserve-fds', '2'], spec)), 2);
  assert.throws(() => preserveFdsFlag(parseRuntimeArgs(['--preserve-fds=-1'], spec)), { code: 'ISOLA_INVALID_OPTION' });
  assert.throws(() => preserveFdsFlag(parseRuntimeArgs(['--preserve-fds=two'], spec)), { code: 'ISOLA_INVALID_OPTION' });
});
