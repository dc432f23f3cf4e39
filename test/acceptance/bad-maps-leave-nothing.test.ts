/**
 * A map the kernel would refuse is refused up front: one `isola:` line, exit
 * 125, and no mount, process or run directory left behind to clean up.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { runIsola } from '../helpers/run-cli.ts';
import { withTempDirs } from '../helpers/temp-dirs.ts';
import { listContainerDirs, newEnvMarker, pidsWithEnvEntry } from './host-processes.ts';

const goodGidMap = ['--gidmap', '0:100000:65536'];
const uidmaps = (...specs: string[]): string[] => specs.flatMap((spec) => ['--uidmap', spec]);
const tooManyLines = uidmaps(...Array.from({ length: 341 }, (_, i) => `${i}:${100000 + i}:1`));

/** What is wrong, the map flags, and a word the error names, which shows it was refused for that reason. */
const badMaps: ReadonlyArray<readonly [string, readonly string[], string]> = [
  ['ranges overlapping inside the container', [...uidmaps('0:100000:10', '5:200000:10'), ...goodGidMap], 'overlap'],
  ['ranges overlapping on the host', [...uidmaps('0:100000:10', '20:100005:10'), ...goodGidMap], 'overlap'],
  ['a zero-length range', [...uidmaps('0:100000:0'), ...goodGidMap], '--uidmap'],
  ['a range with two fields', [...uidmaps('0:1'), ...goodGidMap], '--uidmap'],
  ['a range that is not numbers', [...uidmaps('a:b:c'), ...goodGidMap], '--uidmap'],
  ['more than 340 lines', [...tooManyLines, ...goodGidMap], '340'],
  ['a host range reaching past 2^32-1', [...uidmaps('0:4294967290:100'), ...goodGidMap], '4294967294'],
  ['gid ranges overlapping inside the container', [...uidmaps('0:100000:65536'), '--gidmap', '0:100000:10',
    '--gidmap', '5:300000:10'], 'gid'],
];

/**
 * Host mounts involving this run's --root/--runroot or rootfs. Other tests and
 * benchmarks mount elsewhere at the same time, so the whole table is not stable.
 */
async function readMountLines(paths: readonly string[]): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')
    .filter((line) => line !== '' && paths.some((path) => line.includes(path)));
}

describe('a bad ID map', () => {
  for (const [what, mapArgs, word] of badMaps) {
    test(`with ${what} fails with status 125, one isola: line and nothing left behind`, async (t) => {
      if (!requireRoot(t)) return;
      const rootfs = await ensureHostRootfs();
      await withTempDirs(async (dirs) => {
        const marker = newEnvMarker('ISOLA_TEST_CLI');
        const [name = '', value = ''] = marker.split('=');
        const mountsBefore = await readMountLines([dirs.base, rootfs]);
        const result = await runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...mapArgs, '--', 'true'],
          { env: { [name]: value } });
        const mountsAfter = await readMountLines([dirs.base, rootfs]);
        assert.equal(result.code, 125, result.stderr);
        assert.match(result.stderr, /^isola: [^\n]+\n?$/);
        assert.ok(result.stderr.includes(word), `expected the error to name ${word}: ${result.stderr}`);
        assert.deepEqual(mountsAfter.filter((line) => !mountsBefore.includes(line)), [], 'new mounts');
        assert.equal(mountsAfter.length, mountsBefore.length, 'mount count');
        assert.deepEqual(await pidsWithEnvEntry(marker), [], 'isola-shim process left');
        assert.deepEqual(await listContainerDirs(dirs.runroot), [], 'run directory left');
      });
    });
  }
});
