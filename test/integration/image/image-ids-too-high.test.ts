/**
 * An image with a file owned by uid 2^31 would need an auto range of over
 * 2^31 ids, which the pool cannot give: the run is refused naming the file
 * and its id and saying what to run instead, and the suggested explicit
 * size works (the file then shows as nobody).
 */
import assert from 'node:assert/strict';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../../src/engine/index.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

const HIGH_ID = 2 ** 31 + 7;

test('an image with a file owned by a uid above 2^31 is refused naming the file, and runs with an explicit size', async (t) => {
  if (!requireRoot(t, 'chowns a file to uid 2^31 and runs the image')) return;
  await withTempDirs(async (dirs) => {
    // busybox (static) to run, and the high file.
    const layer = join(dirs.base, 'layer');
    await mkdir(join(layer, 'data'), { recursive: true });
    await mkdir(join(layer, 'bin'));
    await writeFile(join(layer, 'bin', 'busybox'), await readFile('/bin/busybox'), { mode: 0o755 });
    await writeFile(join(layer, 'data', 'high'), 'x\n');
    await chown(join(layer, 'data', 'high'), HIGH_ID, HIGH_ID);
    const tarball = join(dirs.base, 'image.tar');
    const tar = await runCommand(['tar', '--numeric-owner', '-cf', tarball, '-C', layer, '.']);
    assert.equal(tar.code, 0, tar.stderr);
    assert.equal((await runIsola([...dirs.args, 'import', tarball, 'localhost/high-ids'])).code, 0);

    const refused = await runIsola([...dirs.args, 'run', '--rm', 'localhost/high-ids', '/bin/busybox', 'true']);
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, new RegExp(`/data/high owned by id ${HIGH_ID}`));
    assert.match(refused.stderr, /--userns=auto:size=65536/);
    assert.deepEqual((JSON.parse((await runIsola([...dirs.args, 'ps', '-a', '--format', 'json'])).stdout) as unknown[]), []);

    const engine = await Engine.open({ root: dirs.root, runroot: dirs.runroot });
    try {
      await assert.rejects(engine.create({ image: 'localhost/high-ids', cmd: ['/bin/busybox', 'true'] }),
        { code: 'ISOLA_ENGINE_IMAGE_IDS_TOO_HIGH', id: HIGH_ID, owner: '/data/high' });
      assert.deepEqual(await engine.ps({ all: true }), [], 'nothing recorded');
    } finally {
      await engine.close();
    }

    const sized = await runIsola([...dirs.args, 'run', '--rm', '--userns=auto:size=65536', 'localhost/high-ids', '/bin/busybox', 'stat', '-c', '%u', '/data/high']);
    assert.equal(sized.code, 0, sized.stderr);
    assert.equal(sized.stdout, '65534\n');
  });
});
