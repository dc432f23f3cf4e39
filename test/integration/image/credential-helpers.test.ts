/**
 * Credential helpers as docker users configure them, against a real
 * docker-registry with htpasswd Basic auth: ~/.docker/config.json's
 * credHelpers and credsStore run a real `docker-credential-NAME` program from
 * PATH (test/helpers/credential-helper.ts) for pulls, and login and logout
 * store and erase through it; a missing or failing helper is one clear line.
 * `--creds` on pull and run is used instead of anything stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBusyboxImage, pushWithSkopeo, type BusyboxImage } from '../../fixtures/busybox-image.ts';
import { makeCredentialHelper } from '../../helpers/credential-helper.ts';
import { registryForFile, requireRegistry } from '../../helpers/registry-for-file.ts';
import { requireRoot, type SkippableContext } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';

const ALICE = { username: 'alice', password: 's3cret' };
let image: BusyboxImage | undefined;
let reference = '';

const fixture = registryForFile({
  name: 'cred-helpers',
  registry: { basicAuth: ALICE },
  setup: async ({ registry, work }) => {
    image = await buildBusyboxImage(join(work, 'layout'));
    reference = `${registry.host}/private/busybox:1`;
    await pushWithSkopeo(image, reference, `${ALICE.username}:${ALICE.password}`);
  },
});

function ready(t: SkippableContext): boolean {
  return requireRegistry(t, 'skopeo', 'htpasswd');
}

/** An environment with its own docker config dir, login file and helper directory first on PATH. */
async function userEnv(dirs: TempDirs, dockerConfig: object, authFile: object = {}): Promise<Record<string, string>> {
  const docker = join(dirs.base, 'docker');
  await rm(docker, { recursive: true, force: true });
  await mkdir(docker);
  await writeFile(join(docker, 'config.json'), JSON.stringify(dockerConfig));
  await writeFile(join(dirs.base, 'auth.json'), JSON.stringify(authFile));
  return { DOCKER_CONFIG: docker, REGISTRY_AUTH_FILE: join(dirs.base, 'auth.json'), PATH: `${join(dirs.base, 'bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}` };
}

async function storedBlobs(dirs: TempDirs): Promise<string[]> {
  return readdir(join(dirs.root, 'images', 'blobs', 'sha256')).catch(() => []);
}

test('a pull uses the credentials the credHelpers helper of docker\'s config.json returns', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    const helper = await makeCredentialHelper(join(dirs.base, 'bin'), 'isolatest', { initial: { [fixture.registry.host]: ALICE } });
    const env = await userEnv(dirs, { credHelpers: { [fixture.registry.host]: 'isolatest' } });
    const pulled = await runIsola([...dirs.args, 'pull', '-q', '--tls-verify=false', reference], { env });
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.stdout, `${image!.configDigest.slice(7)}\n`);
    assert.deepEqual(await helper.calls(), [`get ${fixture.registry.host}`]);
  });
});

test('login with a credsStore stores through the helper, pull reads it back, logout erases it', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    const helper = await makeCredentialHelper(join(dirs.base, 'bin'), 'isolastore');
    const env = await userEnv(dirs, {}, { credsStore: 'isolastore' });
    const login = await runIsola([...dirs.args, 'login', '--tls-verify=false', '-u', ALICE.username, '--password-stdin', fixture.registry.host],
      { env, input: `${ALICE.password}\n` });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /docker-credential-isolastore/);
    assert.deepEqual(await helper.stored(), { [fixture.registry.host]: { Username: ALICE.username, Secret: ALICE.password } });
    assert.doesNotMatch(await readFile(env['REGISTRY_AUTH_FILE']!, 'utf8'), /s3cret|"auth"/);
    const pulled = await runIsola([...dirs.args, 'pull', '-q', '--tls-verify=false', reference], { env });
    assert.equal(pulled.code, 0, pulled.stderr);
    const logout = await runIsola([...dirs.args, 'logout', fixture.registry.host], { env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.deepEqual(await helper.stored(), {});
    const refused = await runIsola([...dirs.args, 'pull', '-q', '--tls-verify=false', reference], { env });
    assert.equal(refused.code, 125);
    assert.deepEqual(await helper.calls(), [`store ${JSON.stringify({ ServerURL: fixture.registry.host, Username: 'alice', Secret: 's3cret' })}`,
      `get ${fixture.registry.host}`, `erase ${fixture.registry.host}`, `get ${fixture.registry.host}`]);
  });
});

test('a helper missing from PATH fails the pull with one line naming it, storing nothing', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    const env = await userEnv(dirs, { credsStore: 'isolaabsent' });
    const result = await runIsola([...dirs.args, 'pull', '--tls-verify=false', reference], { env });
    assert.equal(result.code, 125);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /docker-credential-isolaabsent/);
    assert.deepEqual(await storedBlobs(dirs), []);
  });
});

test('a helper that fails or prints bad JSON fails the pull with its error, storing nothing', async (t) => {
  if (!ready(t)) return;
  await withTempDirs(async (dirs) => {
    await makeCredentialHelper(join(dirs.base, 'bin'), 'isolalocked', { behaviour: 'fail' });
    await makeCredentialHelper(join(dirs.base, 'bin'), 'isolabroken', { behaviour: 'bad-json' });
    for (const [name, expected] of [['isolalocked', /exited with status 3: error: the keyring is locked/], ['isolabroken', /no JSON/]] as const) {
      const env = await userEnv(dirs, { credHelpers: { [fixture.registry.host]: name } });
      const result = await runIsola([...dirs.args, 'pull', '--tls-verify=false', reference], { env });
      assert.equal(result.code, 125);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, expected);
      assert.deepEqual(await storedBlobs(dirs), []);
    }
  });
});

test('--creds on pull and on run --pull=always is used instead of a failing helper; wrong --creds are refused', async (t) => {
  if (!ready(t) || !requireRoot(t, 'runs the pulled image')) return;
  await withTempDirs(async (dirs) => {
    const helper = await makeCredentialHelper(join(dirs.base, 'bin'), 'isolalocked', { behaviour: 'fail' });
    const env = await userEnv(dirs, { credsStore: 'isolalocked' });
    const creds = `${ALICE.username}:${ALICE.password}`;
    const pulled = await runIsola([...dirs.args, 'pull', '-q', '--tls-verify=false', '--creds', creds, reference], { env });
    assert.equal(pulled.code, 0, pulled.stderr);
    const ran = await runIsola([...dirs.args, 'run', '--rm', '--pull=always', '--tls-verify=false', '--creds', creds, reference, 'echo', 'ran'], { env });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, 'ran\n');
    assert.deepEqual(await helper.calls(), []);
    const wrong = await runIsola([...dirs.args, 'run', '--rm', '--pull=always', '--tls-verify=false', '--creds', 'alice:nope', reference, 'true'], { env });
    assert.equal(wrong.code, 125);
    assert.match(wrong.stderr, /authentication required/);
  });
});

test('a push to a registry that asks for Basic credentials sends them on every request, the concurrent ones too', async (t) => {
  if (!ready(t)) return;
  const auth = Buffer.from(`${ALICE.username}:${ALICE.password}`).toString('base64');
  await withTempDirs(async (dirs) => {
    const env = await userEnv(dirs, { auths: { [fixture.registry.host]: { auth } } });
    const pulled = await runIsola([...dirs.args, 'pull', '-q', '--tls-verify=false', reference], { env });
    assert.equal(pulled.code, 0, pulled.stderr);
    // The push starts by asking, all at once, which blobs the registry has.
    const copy = `${fixture.registry.host}/private/copy:1`;
    const pushed = await runIsola([...dirs.args, 'push', '-q', '--tls-verify=false', reference, copy], { env });
    assert.equal(pushed.code, 0, pushed.stderr);
    await withTempDirs(async (other) => {
      const again = await runIsola([...other.args, 'pull', '-q', '--tls-verify=false', copy], { env });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, `${image!.configDigest.slice(7)}\n`);
    });
  });
});
