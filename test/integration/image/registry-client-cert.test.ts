/**
 * A registry that demands client certificates (docker-registry with
 * http.tls.clientcas): `--cert-dir` in docker's and podman's layout (`*.crt`
 * CAs, `NAME.cert` + `NAME.key` the client pair) pulls and pushes; without a
 * pair, with a pair it does not trust, or with half a pair, one clear line
 * and nothing stored. `isola run` pulls with `--cert-dir` as pull does.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage, type BusyboxImage } from '../../fixtures/busybox-image.ts';
import { isRegistryAvailable, startRegistry, type TestRegistry } from '../../helpers/registry.ts';
import { requireCommand, requireRoot, requireThat } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { makeSelfSignedCert, type SelfSignedCert } from '../../helpers/tls-cert.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';

let registry: TestRegistry | undefined;
let image: BusyboxImage | undefined;
let work = '';
let reference = '';
/** The registry's CA and the trusted client pair. */
let certDir = '';

/** A --cert-dir holding the registry's CA and, optionally, a client pair's halves. */
async function makeCertDir(name: string, client: SelfSignedCert | undefined, halves: readonly ('cert' | 'key')[] = ['cert', 'key']): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir);
  await copyFile(registry!.cert!.certFile, join(dir, 'ca.crt'));
  if (client !== undefined && halves.includes('cert')) await copyFile(client.certFile, join(dir, 'client.cert'));
  if (client !== undefined && halves.includes('key')) await copyFile(client.keyFile, join(dir, 'client.key'));
  return dir;
}

before(async () => {
  if (!isRegistryAvailable()) return;
  work = await mkdtemp(join(tmpdir(), 'isola-client-cert-'));
  // A self-signed client certificate is its own CA: the registry trusts exactly it.
  const client = await makeSelfSignedCert(join(work, 'client'));
  registry = await startRegistry({ tls: true, clientCaFile: client.certFile });
  certDir = await makeCertDir('trusted', client);
  image = await buildBusyboxImage(join(work, 'layout'));
  reference = `${registry.host}/fixtures/busybox:1`;
  // skopeo reads the same layout: the fixture reaches the registry the way podman users' tools do.
  const copied = await runCommand(['skopeo', 'copy', '--quiet', '--dest-cert-dir', certDir, `oci:${image.layout}:latest`, `docker://${reference}`]);
  if (copied.code !== 0) throw new Error(`skopeo copy failed: ${copied.stderr}`);
});

after(async () => {
  await registry?.stop();
  if (work !== '') await rm(work, { recursive: true, force: true });
});

function ready(t: { skip(message?: string): void }): boolean {
  return requireThat(t, isRegistryAvailable(), 'needs docker-registry (Debian package docker-registry)')
    && requireCommand(t, 'skopeo') && requireCommand(t, 'openssl');
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
    const pushed = await runIsola([...dirs.args, 'push', '-q', '--cert-dir', certDir, reference, `${registry!.host}/copies/busybox:mtls`]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(pushed.stdout, `${image!.manifestDigest}\n`);
  });
});

test('--cert-dir with only the CA is refused by the registry with a line saying a client certificate is needed', async (t) => {
  if (!ready(t)) return;
  const caOnly = await makeCertDir('ca-only', undefined);
  await withTempDirs(async (dirs) => {
    assert.match(await refusedPull(dirs, caOnly), new RegExp(`${registry!.host} refused the TLS connection: it requires a client certificate and none was given`));
  });
});

test('a client pair the registry does not trust is refused', async (t) => {
  if (!ready(t)) return;
  const stranger = await makeSelfSignedCert(join(work, 'stranger'));
  const dir = await makeCertDir('stranger-pair', stranger);
  await withTempDirs(async (dirs) => {
    assert.match(await refusedPull(dirs, dir), /requires a client certificate and the one given was refused/);
  });
});

test('a client certificate without its key is an error naming both files, before any connection', async (t) => {
  if (!ready(t)) return;
  const client = await makeSelfSignedCert(join(work, 'half'));
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
