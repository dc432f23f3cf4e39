/**
 * A registry that demands client certificates (docker-registry with
 * http.tls.clientcas): `--cert-dir` in docker's and podman's layout (`*.crt`
 * CAs, `NAME.cert` + `NAME.key` the client pair) pulls and pushes; without a
 * pair, with a pair it does not trust, or with half a pair, one clear line
 * and nothing stored. `isola run` pulls with `--cert-dir` as pull does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBusyboxImage, type BusyboxImage } from '../../fixtures/busybox-image.ts';
import { registryForFile, requireRegistry } from '../../helpers/registry-for-file.ts';
import { requireRoot, type SkippableContext } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { makeSelfSignedCert, type SelfSignedCert } from '../../helpers/tls-cert.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';

let image: BusyboxImage | undefined;
let reference = '';
/** The registry's CA and the trusted client pair. */
let certDir = '';

/** A --cert-dir holding the registry's CA and, optionally, a client pair's halves. */
async function makeCertDir(name: string, client: SelfSignedCert | undefined, halves: readonly ('cert' | 'key')[] = ['cert', 'key']): Promise<string> {
  const dir = join(fixture.work, name);
  await mkdir(dir);
  await copyFile(fixture.registry.cert!.certFile, join(dir, 'ca.crt'));
  if (client !== undefined && halves.includes('cert')) await copyFile(client.certFile, join(dir, 'client.cert'));
  if (client !== undefined && halves.includes('key')) await copyFile(client.keyFile, join(dir, 'client.key'));
  return dir;
}

let trustedClient: SelfSignedCert | undefined;

const fixture = registryForFile({
  name: 'client-cert',
  registry: async (work) => {
    // A self-signed client certificate is its own CA: the registry trusts exactly it.
    trustedClient = await makeSelfSignedCert(join(work, 'client'));
    return { tls: true, clientCaFile: trustedClient.certFile };
  },
  setup: async ({ registry, work }) => {
    certDir = await makeCertDir('trusted', trustedClient);
    image = await buildBusyboxImage(join(work, 'layout'));
    reference = `${registry.host}/fixtures/busybox:1`;
    // skopeo reads the same layout: the fixture reaches the registry the way podman users' tools do.
    const copied = await runCommand(['skopeo', 'copy', '--quiet', '--dest-cert-dir', certDir, `oci:${image.layout}:latest`, `docker://${reference}`]);
    if (copied.code !== 0) throw new Error(`skopeo copy failed: ${copied.stderr}`);
  },
});

function ready(t: SkippableContext): boolean {
  return requireRegistry(t, 'skopeo', 'openssl');
}

async function storedBlobs(dirs: TempDirs): Promise<string[]> {
  return readdir(join(dirs.root, 'images', 'blobs', 'sha256')).catch(() => []);
}

async function refusedPull(dirs: TempDirs, dir: string): Promise<string> {
  const result = await runIsola([...dirs.args, 'pull', '--cert-dir', dir, reference]);
  assert.equal(result.code, 125, result.stderr);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.deepEqual(await storedBlobs(dirs), []);
  return lines[0]!;
}

test('--cert-dir with the CA and a trusted client pair pulls from and pushes to the registry', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    const pulled = await runIsola([...dirs.args, 'pull', '-q', '--cert-dir', certDir, reference]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.stdout, `${image!.configDigest.slice(7)}\n`);
    const pushed = await runIsola([...dirs.args, 'push', '-q', '--cert-dir', certDir, reference, `${fixture.registry.host}/copies/busybox:mtls`]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(pushed.stdout, `${image!.manifestDigest}\n`);
  });
});

test('--cert-dir with only the CA is refused by the registry with a line saying a client certificate is needed', async (t) => {
  if (!ready(t)) return;
  const caOnly = await makeCertDir('ca-only', undefined);
  await withTempDirs(async (dirs) => {
    assert.match(await refusedPull(dirs, caOnly), new RegExp(`${fixture.registry.host} refused the TLS connection: it requires a client certificate and none was given`));
  });
});

test('a client pair the registry does not trust is refused', async (t) => {
  if (!ready(t)) return;
  const stranger = await makeSelfSignedCert(join(fixture.work, 'stranger'));
  const dir = await makeCertDir('stranger-pair', stranger);
  await withTempDirs(async (dirs) => {
    assert.match(await refusedPull(dirs, dir), /requires a client certificate and the one given was refused/);
  });
});

test('a client certificate without its key is an error naming both files, before any connection', async (t) => {
  if (!ready(t)) return;
  const client = await makeSelfSignedCert(join(fixture.work, 'half'));
  const dir = await makeCertDir('half-pair', client, ['cert']);
  await withTempDirs(async (dirs) => {
    const line = await refusedPull(dirs, dir);
    assert.match(line, /client\.cert/);
    assert.match(line, /client\.key/);
  });
});

test('run pulls with --cert-dir (missing and always), and without it is refused before any container exists', async (t) => {
  if (!ready(t) || !requireRoot(t, 'runs the pulled image')) return;
  await withTempDirs(async (dirs) => {
    const refused = await runIsola([...dirs.args, 'run', '--rm', reference, '/bin/busybox', 'true']);
    assert.equal(refused.code, 125);
    assert.deepEqual(await storedBlobs(dirs), []);
    assert.deepEqual(await readdir(join(dirs.root, 'containers')).catch(() => []), []);
    for (const policy of ['missing', 'always']) {
      const ran = await runIsola([...dirs.args, 'run', '--rm', `--pull=${policy}`, '--cert-dir', certDir, reference, '/bin/busybox', 'echo', policy]);
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(ran.stdout, `${policy}\n`);
    }
  });
});
