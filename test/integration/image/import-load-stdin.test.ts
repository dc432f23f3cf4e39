/**
 * Images through stdin, as docker users pipe them: `isola load < image.tar`
 * (docker-archive and oci-archive), `isola import - NAME < rootfs.tar` with
 * `--change` Dockerfile instructions and `--message`; bad --change lines and
 * empty stdin are one clear line and leave nothing behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateOciImage } from '../../../src/image/oci-image-schema.test-helper.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';

async function isola(dirs: TempDirs, args: readonly string[], input?: Buffer): Promise<string> {
  const result = await runIsola([...dirs.args, ...args], { input });
  assert.equal(result.code, 0, `isola ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** A gzip rootfs tarball holding /bin/busybox and an empty /srv. */
async function rootfsTarball(dirs: TempDirs): Promise<Buffer> {
  const rootfs = join(dirs.base, 'rootfs');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await mkdir(join(rootfs, 'srv'), { recursive: true });
  await writeFile(join(rootfs, 'bin', 'busybox'), await readFile('/bin/busybox'), { mode: 0o755 });
  const tarball = join(dirs.base, 'rootfs.tar.gz');
  const result = await runCommand(['tar', '--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-czf', tarball, '.']);
  assert.equal(result.code, 0, result.stderr);
  return readFile(tarball);
}

async function blobJson(dirs: TempDirs, digest: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dirs.root, 'images', 'blobs', 'sha256', digest.replace('sha256:', '')), 'utf8')) as Record<string, unknown>;
}

/** Nothing stored and no temporary directory left in the image store. */
async function assertNothingStored(dirs: TempDirs): Promise<void> {
  assert.deepEqual(JSON.parse(await isola(dirs, ['images', '--format', 'json'])), []);
  assert.deepEqual(await readdir(join(dirs.root, 'images', 'tmp')).catch(() => []), []);
}

test('import - reads the tarball from stdin and applies --change instructions and --message to the image config', async (t) => {
  if (!requireRoot(t, 'runs the imported image')) return;
  await withTempDirs(async (dirs) => {
    const tarball = await rootfsTarball(dirs);
    const id = (await isola(dirs, [
      'import', '--change', 'ENTRYPOINT ["/bin/busybox"]', '--change', 'CMD ["sh", "-c", "echo $GREETING from $(pwd) as $(busybox id -u)"]',
      '-c', 'ENV GREETING="hello there" OTHER=1', '-c', 'EXPOSE 8080 53/udp', '-c', 'LABEL org.example.name=tools',
      '-c', 'USER 0:0', '-c', 'WORKDIR /srv', '-c', 'VOLUME /data', '--message', 'piped in', '-', 'tools:stdin',
    ], tarball)).trim();
    const [inspected] = JSON.parse(await isola(dirs, ['image', 'inspect', 'tools:stdin'])) as { Id: string; Digest: string }[];
    assert.equal(inspected?.Id, id);
    const manifest = await blobJson(dirs, inspected.Digest) as { config: { digest: string } };
    const config = await blobJson(dirs, manifest.config.digest);
    assert.deepEqual(validateOciImage('config', config), []);
    assert.deepEqual(config['config'], {
      Entrypoint: ['/bin/busybox'], Cmd: ['sh', '-c', 'echo $GREETING from $(pwd) as $(busybox id -u)'], Env: ['GREETING=hello there', 'OTHER=1'],
      ExposedPorts: { '8080/tcp': {}, '53/udp': {} }, Labels: { 'org.example.name': 'tools' }, User: '0:0', WorkingDir: '/srv',
      Volumes: { '/data': {} },
    });
    assert.equal((config['history'] as { comment?: string }[])[0]?.comment, 'piped in');
    assert.equal(await isola(dirs, ['run', '--rm', 'tools:stdin']), 'hello there from /srv as 0\n');
  });
});

for (const format of ['docker-archive', 'oci-archive'] as const) {
  test(`load without -i reads a ${format} from stdin`, async (t) => {
    if (!requireRoot(t, 'imports as root')) return;
    await withTempDirs(async (dirs) => {
      const id = (await isola(dirs, ['import', '-', 'tools:saved'], await rootfsTarball(dirs))).trim();
      // Two names of one image: an oci-archive's index lists its manifest once per name.
      await isola(dirs, ['tag', 'tools:saved', 'tools:also']);
      const archive = join(dirs.base, `saved-${format}.tar`);
      await isola(dirs, ['save', '--format', format, '-o', archive, 'tools:saved', 'tools:also']);
      await withTempDirs(async (other) => {
        const loadedLines = (await isola(other, ['load'], await readFile(archive))).trim().split('\n');
        assert.equal(loadedLines.length, 1, 'one line per image, however many names the archive lists');
        assert.match(loadedLines[0]!, /^Loaded image: .*localhost\/tools:saved/);
        assert.match(loadedLines[0]!, /tools:also/);
        const [loaded] = JSON.parse(await isola(other, ['images', '--format', 'json'])) as { Id: string }[];
        assert.equal(loaded?.Id, id);
        assert.deepEqual(await readdir(join(other.root, 'images', 'tmp')), []);
      });
    });
  });
}

test('load and import - with nothing on stdin fail with one line saying stdin is empty, storing nothing', async () => {
  await withTempDirs(async (dirs) => {
    for (const args of [['load'], ['import', '-', 'empty:1']]) {
      const result = await runIsola([...dirs.args, ...args], { input: Buffer.alloc(0) });
      assert.equal(result.code, 125, args.join(' '));
      assert.match(result.stderr, /^isola: stdin is empty/);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    }
    await assertNothingStored(dirs);
  });
});

test('load from stdin of something that is not an image archive fails naming stdin, storing nothing', async () => {
  await withTempDirs(async (dirs) => {
    const result = await runIsola([...dirs.args, 'load'], { input: Buffer.from('not a tar at all\n'.repeat(64)) });
    assert.equal(result.code, 125);
    assert.match(result.stderr, /archive stdin/);
    await assertNothingStored(dirs);
  });
});

for (const change of ['ONBUILD RUN make', 'RUN make', 'FROM scratch', 'CMD ["sh"', 'ENV', 'EXPOSE 99999', 'VOLUME relative', 'USER a b', 'LABEL "open=1']) {
  test(`import --change ${JSON.stringify(change)} fails with one line naming --change, storing nothing`, async () => {
    await withTempDirs(async (dirs) => {
      const result = await runIsola([...dirs.args, 'import', '--change', change, '-', 'bad:1'], { input: await rootfsTarball(dirs) });
      assert.equal(result.code, 125);
      assert.match(result.stderr, /^isola: --change: /);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
      await assertNothingStored(dirs);
    });
  });
}
