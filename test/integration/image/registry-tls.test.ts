/**
 * A registry with a self-signed certificate (docker-registry over TLS, the
 * certificate made by openssl at test time): refused by default with one clear
 * line and nothing stored, reached with --tls-verify=false, with --cert-dir
 * holding its CA, and when registries.toml marks it insecure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/index.ts';
import { buildBusyboxImage, pushWithSkopeo, type BusyboxImage } from '../../fixtures/busybox-image.ts';
import { registryForFile, requireRegistry } from '../../helpers/registry-for-file.ts';
import type { SkippableContext } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { makeSelfSignedCert } from '../../helpers/tls-cert.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';

let image: BusyboxImage | undefined;
let reference = '';

const fixture = registryForFile({
  name: 'registry-tls',
  registry: { tls: true },
  setup: async ({ registry, work }) => {
    image = await buildBusyboxImage(join(work, 'layout'));
    reference = `${registry.host}/fixtures/busybox:1`;
    await pushWithSkopeo(image, reference);
  },
});

function ready(t: SkippableContext): boolean {
  return requireRegistry(t, 'skopeo', 'openssl');
}

async function isola(dirs: TempDirs, ...args: string[]): Promise<string> {
  const result = await runIsola([...dirs.args, ...args]);
  assert.equal(result.code, 0, `isola ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Entries under the image store's blob directory (absent counts as none). */
async function storedBlobs(dirs: TempDirs): Promise<string[]> {
  return readdir(join(dirs.root, 'images', 'blobs', 'sha256')).catch(() => []);
}

test('a pull from a self-signed registry fails by default with one line naming the registry and the fixes, storing nothing', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    const refused = await runIsola([...dirs.args, 'pull', reference]);
    assert.equal(refused.code, 125);
    const lines = refused.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, refused.stderr);
    assert.match(lines[0]!, new RegExp(`${fixture.registry.host}.*--tls-verify=false.*--cert-dir`));
    assert.deepEqual(await storedBlobs(dirs), []);
    assert.deepEqual(JSON.parse(await isola(dirs, 'images', '--format', 'json')), []);
  });
});

test('the engine reports an unverifiable certificate as ISOLA_REGISTRY_CERT_UNVERIFIED for pull and push', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    const engine = await Engine.open({ root: dirs.root, runroot: dirs.runroot, registriesFiles: [], configFiles: [] });
    try {
      const images = await engine.images();
      await assert.rejects(images.pull(reference), { code: 'ISOLA_REGISTRY_CERT_UNVERIFIED' });
      await images.pull(reference, { tlsVerify: false });
      await assert.rejects(images.push(reference, `${fixture.registry.host}/copies/busybox:refused`), { code: 'ISOLA_REGISTRY_CERT_UNVERIFIED' });
    } finally {
      await engine.close();
    }
  });
});

test('--tls-verify=false pulls from and pushes to a self-signed registry', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    assert.equal(await isola(dirs, 'pull', '-q', '--tls-verify=false', reference), `${image!.configDigest.slice(7)}\n`);
    const copy = `${fixture.registry.host}/copies/busybox:unverified`;
    assert.equal(await isola(dirs, 'push', '-q', '--tls-verify=false', reference, copy), `${image!.manifestDigest}\n`);
    await withTempDirs(async (other) => {
      assert.equal(await isola(other, 'pull', '-q', '--tls-verify=false', copy), `${image!.configDigest.slice(7)}\n`);
    });
  });
});

test('--cert-dir with the registry\'s CA verifies it, for pull and push', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    const certDir = fixture.registry.cert!.certDir;
    assert.equal(await isola(dirs, 'pull', '-q', '--cert-dir', certDir, reference), `${image!.configDigest.slice(7)}\n`);
    const copy = `${fixture.registry.host}/copies/busybox:verified`;
    assert.equal(await isola(dirs, 'push', '-q', '--cert-dir', certDir, reference, copy), `${image!.manifestDigest}\n`);
  });
});

test('--cert-dir with a CA that did not sign the registry\'s certificate is still refused', async (t) => {
  if (!ready(t)) return;
  const stranger = await makeSelfSignedCert(join(fixture.work, 'stranger'));
  await withTempDirs(async (dirs) => {
    const refused = await runIsola([...dirs.args, 'pull', '--cert-dir', stranger.certDir, reference]);
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, new RegExp(`certificate of ${fixture.registry.host}`));
    assert.deepEqual(await storedBlobs(dirs), []);
  });
});

test('a registry marked insecure in registries.toml is pulled from without verification', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    const registries = join(dirs.base, 'registries.toml');
    await writeFile(registries, `[[registry]]\nlocation = "${fixture.registry.host}"\ninsecure = true\n`);
    const engine = await Engine.open({ root: dirs.root, runroot: dirs.runroot, registriesFiles: [registries], configFiles: [] });
    try {
      const pulled = await (await engine.images()).pull(reference, { unpack: false });
      assert.deepEqual(pulled.names, [reference]);
    } finally {
      await engine.close();
    }
  });
});
