/**
 * The image commands as a user drives them: import, save and load in both
 * archive formats (checked against the OCI image-spec schemas and by a second
 * isola), rmi, login/logout with Basic auth, --pull policies, a corrupt blob,
 * and short names through registries.toml's search list (engine API).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/index.ts';
import { validateOciImage } from '../../../src/image/oci-image-schema.test-helper.ts';
import { buildBusyboxImage, pushWithSkopeo, type BusyboxImage } from '../../fixtures/busybox-image.ts';
import { registryForFile, requireRegistry } from '../../helpers/registry-for-file.ts';
import { startRegistry, startRegistryProxy } from '../../helpers/registry.ts';
import { requireRoot, type SkippableContext } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';

let image: BusyboxImage | undefined;
let reference = '';

const fixture = registryForFile({
  name: 'image-cmds',
  setup: async ({ registry, work }) => {
    image = await buildBusyboxImage(join(work, 'layout'), { runConfig: { Cmd: ['echo', 'from-cmd'], ExposedPorts: { '80/tcp': {} } } });
    reference = `${registry.host}/fixtures/busybox:1`;
    await pushWithSkopeo(image, reference);
  },
});

function ready(t: SkippableContext): boolean {
  return requireRegistry(t, 'skopeo');
}

async function isola(dirs: TempDirs, ...args: string[]): Promise<string> {
  const result = await runIsola([...dirs.args, ...args]);
  assert.equal(result.code, 0, `isola ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function blobJson(dirs: TempDirs, digest: string): Promise<unknown> {
  return JSON.parse(await readFile(join(dirs.root, 'images', 'blobs', 'sha256', digest.replace('sha256:', '')), 'utf8'));
}

test('images --format json uses podman field names and image inspect shows the config', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    await isola(dirs, 'pull', '--tls-verify=false', reference);
    const [listed] = JSON.parse(await isola(dirs, 'images', '--format', 'json')) as Record<string, unknown>[];
    assert.deepEqual({ Id: listed?.['Id'], Names: listed?.['Names'], Digest: listed?.['Digest'] },
      { Id: image!.configDigest.slice(7), Names: [reference], Digest: image!.manifestDigest });
    assert.equal(typeof listed?.['Size'], 'number');
    assert.equal(listed?.['Created'], Date.parse('2026-01-01T00:00:00Z') / 1000);
    const [inspected] = JSON.parse(await isola(dirs, 'image', 'inspect', reference)) as { Config: { Cmd: string[] }; RootFS: { Layers: string[] } }[];
    assert.deepEqual(inspected?.Config.Cmd, ['echo', 'from-cmd']);
    assert.deepEqual(inspected?.RootFS.Layers, [image!.diffId]);
  });
});

test('rmi removes the image, its layers and blobs; --pull=never then refuses to run it', async (t) => {
  if (!ready(t) || !requireRoot(t, 'runs the pulled image')) return;
  await withTempDirs(async (dirs) => {
    assert.equal(await isola(dirs, 'run', '--rm', '--tls-verify=false', reference), 'from-cmd\n');
    assert.equal((await readdir(join(dirs.root, 'images', 'layers'))).length, 1);
    await isola(dirs, 'rmi', reference);
    assert.deepEqual(await readdir(join(dirs.root, 'images', 'layers')), []);
    assert.deepEqual(await readdir(join(dirs.root, 'images', 'blobs', 'sha256')), []);
    const refused = await runIsola([...dirs.args, 'run', '--rm', '--pull=never', reference, 'true']);
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /--pull=never/);
  });
});

test('--pull=missing keeps the stored image when its tag moves; --pull=always fetches the new one', async (t) => {
  if (!ready(t) || !requireRoot(t, 'runs the pulled images')) return;
  const moving = `${fixture.registry.host}/fixtures/moving:1`;
  await pushWithSkopeo(image!, moving);
  const second = await buildBusyboxImage(join(fixture.work, 'second'), { runConfig: { Cmd: ['echo', 'second'] } });
  await withTempDirs(async (dirs) => {
    assert.equal(await isola(dirs, 'run', '--rm', '--tls-verify=false', moving), 'from-cmd\n');
    await pushWithSkopeo(second, moving);
    assert.equal(await isola(dirs, 'run', '--rm', '--pull=missing', '--tls-verify=false', moving), 'from-cmd\n');
    assert.equal(await isola(dirs, 'run', '--rm', '--pull=always', '--tls-verify=false', moving), 'second\n');
    assert.equal(await isola(dirs, 'run', '--rm', '--pull=never', moving), 'second\n');
  });
});

test('a corrupt blob fails the pull with status 125 and leaves no image and no layer blob', async (t) => {
  if (!ready(t)) return;
  const proxy = await startRegistryProxy(fixture.registry.host, { corruptBlob: image!.layerDigest });
  try {
    await withTempDirs(async (dirs) => {
      const result = await runIsola([...dirs.args, 'pull', '--tls-verify=false', `${proxy.host}/fixtures/busybox:1`]);
      assert.equal(result.code, 125);
      assert.match(result.stderr, /does not match its digest/);
      assert.deepEqual(JSON.parse(await isola(dirs, 'images', '--format', 'json')), []);
      const blobs = await readdir(join(dirs.root, 'images', 'blobs', 'sha256'));
      assert.equal(blobs.includes(image!.layerDigest.slice(7)), false);
    });
  } finally {
    await proxy.stop();
  }
});

test('import makes a schema-valid one-layer image under localhost/ that runs', async (t) => {
  if (!ready(t) || !requireRoot(t, 'runs the imported image')) return;
  await withTempDirs(async (dirs) => {
    const rootfs = join(dirs.base, 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    await writeFile(join(rootfs, 'bin', 'busybox'), await readFile('/bin/busybox'), { mode: 0o755 });
    const tarball = join(dirs.base, 'rootfs.tar.gz');
    assert.equal((await runCommand(['tar', '--numeric-owner', '-C', rootfs, '-czf', tarball, '.'])).code, 0);
    const id = (await isola(dirs, 'import', tarball, 'tools:v1')).trim();
    const [inspected] = JSON.parse(await isola(dirs, 'image', 'inspect', 'tools:v1')) as { Id: string; Names: string[]; Digest: string }[];
    assert.equal(inspected?.Id, id);
    assert.deepEqual(inspected?.Names, ['localhost/tools:v1']);
    const manifest = await blobJson(dirs, inspected.Digest) as { config: { digest: string } };
    assert.deepEqual(validateOciImage('manifest', manifest), []);
    assert.deepEqual(validateOciImage('config', await blobJson(dirs, manifest.config.digest)), []);
    assert.equal(await isola(dirs, 'run', '--rm', 'tools:v1', '/bin/busybox', 'echo', 'imported'), 'imported\n');
  });
});

for (const format of ['oci-archive', 'docker-archive'] as const) {
  test(`save --format ${format} writes a schema-valid layout that load reads back with the same id and name`, async (t) => {
    if (!ready(t)) return;
    const archive = join(fixture.work, `saved-${format}.tar`);
    await withTempDirs(async (dirs) => {
      await isola(dirs, 'pull', '--tls-verify=false', reference);
      await isola(dirs, 'save', '--format', format, '-o', archive, reference);
      const unpacked = join(dirs.base, 'unpacked');
      await mkdir(unpacked);
      assert.equal((await runCommand(['tar', '-C', unpacked, '-xf', archive])).code, 0);
      assert.deepEqual(validateOciImage('layout', JSON.parse(await readFile(join(unpacked, 'oci-layout'), 'utf8'))), []);
      assert.deepEqual(validateOciImage('index', JSON.parse(await readFile(join(unpacked, 'index.json'), 'utf8'))), []);
      const hasDockerManifest = (await readdir(unpacked)).includes('manifest.json');
      assert.equal(hasDockerManifest, format === 'docker-archive');
    });
    await withTempDirs(async (dirs) => {
      assert.match(await isola(dirs, 'load', '-i', archive), new RegExp(`Loaded image: ${reference}`));
      const [listed] = JSON.parse(await isola(dirs, 'images', '--format', 'json')) as { Id: string; Names: string[]; Digest: string }[];
      assert.equal(listed?.Id, image!.configDigest.slice(7));
      assert.deepEqual(listed?.Names, [reference]);
      // A docker archive has no manifest: the one isola writes for it must be valid too.
      assert.deepEqual(validateOciImage('manifest', await blobJson(dirs, listed.Digest)), []);
    });
  });
}

test('login stores Basic credentials that pull then uses; logout removes them; a wrong password stores nothing', async (t) => {
  if (!ready(t)) return;
  const secured = await startRegistry({ basicAuth: { username: 'alice', password: 's3cret' } });
  try {
    await pushWithSkopeo(image!, `${secured.host}/private/busybox:1`, 'alice:s3cret');
    await withTempDirs(async (dirs) => {
      const authFile = join(dirs.base, 'auth.json');
      const env = { REGISTRY_AUTH_FILE: authFile };
      const login = (password: string) => runIsola([...dirs.args, 'login', '--tls-verify=false', '-u', 'alice', '--password-stdin', secured.host], { env, input: `${password}\n` });
      const wrong = await login('nope');
      assert.equal(wrong.code, 125);
      assert.equal(await readFile(authFile).then(() => true, () => false), false);
      const pullArgs = [...dirs.args, 'pull', '--tls-verify=false', `${secured.host}/private/busybox:1`];
      assert.equal((await runIsola(pullArgs, { env })).code, 125, 'no credentials yet');
      assert.equal((await login('s3cret')).code, 0);
      const pulled = await runIsola(pullArgs, { env });
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.equal((await runIsola([...dirs.args, 'logout', secured.host], { env })).code, 0);
      assert.deepEqual((JSON.parse(await readFile(authFile, 'utf8')) as { auths: object }).auths, {});
    });
  } finally {
    await secured.stop();
  }
});

test('a short name is pulled from the first search registry that has it (engine API)', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    const registries = join(dirs.base, 'registries.toml');
    await writeFile(registries, `unqualified-search-registries = ["127.0.0.1:1", "${fixture.registry.host}"]\n[[registry]]\nlocation = "127.0.0.1"\ninsecure = true\n`);
    const engine = await Engine.open({ root: dirs.root, runroot: dirs.runroot, registriesFiles: [registries], configFiles: [] });
    try {
      const images = await engine.images();
      const pulled = await images.pull('fixtures/busybox:1');
      assert.deepEqual(pulled.names, [reference]);
      assert.equal((await images.find('fixtures/busybox:1'))?.id, pulled.id);
    } finally {
      await engine.close();
    }
  });
});
