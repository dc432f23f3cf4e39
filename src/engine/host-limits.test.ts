import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUlimitsWithinHost, parseProcLimits } from './host-limits.ts';

const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max processes             96365                96365                processes 
Max open files            1024                 20000                files     
Max locked memory         8388608              8388608              bytes     
`;

test('/proc/self/limits gives the hard limits by OCI type, unlimited ones left out', () => {
  assert.deepEqual(parseProcLimits(PROC_LIMITS), { RLIMIT_NPROC: 96365, RLIMIT_NOFILE: 20000, RLIMIT_MEMLOCK: 8388608 });
});

test('an explicit --ulimit above a binding hard limit is refused, one at or below it is not', () => {
  const hard = { RLIMIT_NOFILE: 20000 };
  assert.doesNotThrow(() => checkUlimitsWithinHost([{ name: 'nofile', soft: 1024, hard: 20000 }], hard));
  assert.throws(() => checkUlimitsWithinHost([{ name: 'nofile', soft: 1024, hard: 20001 }], hard), { code: 'ISOLA_INVALID_OPTION' });
  assert.doesNotThrow(() => checkUlimitsWithinHost([{ name: 'nofile', soft: 1024, hard: 99999 }], undefined), 'a host that may raise limits');
});
