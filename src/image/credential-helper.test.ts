import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCredentials, removeCredentials, storeCredentials } from './credentials.ts';
import { makeCredentialHelper } from '../../test/helpers/credential-helper.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-cred-helper-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const searchPathFor = (dir: string): string => `${join(dir, 'bin')}:/usr/bin:/bin`;

test('credsStore: the helper is asked for every registry, with the host on stdin', async () => withDir(async (dir) => {
  const helper = await makeCredentialHelper(join(dir, 'bin'), 'teststore', { initial: { 'localhost:5000': { username: 'u', password: 's3' } } });
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ credsStore: 'teststore', auths: { 'localhost:5000': {} } }));
  assert.deepEqual(await findCredentials('localhost:5000', [config], { searchPath: searchPathFor(dir) }), { username: 'u', password: 's3' });
  assert.equal(await findCredentials('other:5000', [config], { searchPath: searchPathFor(dir) }), undefined);
  assert.deepEqual(await helper.calls(), ['get localhost:5000', 'get other:5000']);
}));

test('credHelpers beats credsStore for its registry, and docker hub is asked as https://index.docker.io/v1/', async () => withDir(async (dir) => {
  await makeCredentialHelper(join(dir, 'bin'), 'one', { initial: { 'https://index.docker.io/v1/': { username: 'hub', password: 'h' } } });
  const store = await makeCredentialHelper(join(dir, 'bin'), 'all');
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ credsStore: 'all', credHelpers: { 'https://index.docker.io/v1/': 'one' } }));
  assert.deepEqual(await findCredentials('docker.io', [config], { searchPath: searchPathFor(dir) }), { username: 'hub', password: 'h' });
  assert.deepEqual(await store.calls(), []);
}));

test('a helper that holds nothing lets the file\'s auths and later files answer', async () => withDir(async (dir) => {
  await makeCredentialHelper(join(dir, 'bin'), 'empty');
  const first = join(dir, 'auth.json');
  const second = join(dir, 'config.json');
  await writeFile(first, JSON.stringify({ credHelpers: { 'a.io': 'empty' } }));
  await writeFile(second, JSON.stringify({ auths: { 'a.io': { auth: Buffer.from('x:y').toString('base64') } } }));
  assert.deepEqual(await findCredentials('a.io', [first, second], { searchPath: searchPathFor(dir) }), { username: 'x', password: 'y' });
}));

test('login and logout store and erase through the helper the login file names, leaving the file without secrets', async () => withDir(async (dir) => {
  const helper = await makeCredentialHelper(join(dir, 'bin'), 'keep');
  const file = join(dir, 'auth.json');
  await writeFile(file, JSON.stringify({ credsStore: 'keep' }));
  const options = { searchPath: searchPathFor(dir) };
  assert.equal(await storeCredentials(file, 'localhost:5000', { username: 'u', password: 'p' }, options), 'docker-credential-keep');
  assert.deepEqual(await helper.stored(), { 'localhost:5000': { Username: 'u', Secret: 'p' } });
  assert.doesNotMatch(await readFile(file, 'utf8'), /auth"/);
  assert.deepEqual(await findCredentials('localhost:5000', [file], options), { username: 'u', password: 'p' });
  assert.equal(await removeCredentials(file, 'localhost:5000', options), true);
  assert.deepEqual(await helper.stored(), {});
  assert.equal(await removeCredentials(file, 'localhost:5000', options), false);
}));

test('a helper missing from the search path is ISOLA_AUTH_HELPER_NOT_FOUND naming the program and the file', async () => withDir(async (dir) => {
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ credsStore: 'nowhere' }));
  await assert.rejects(findCredentials('a.io', [config], { searchPath: searchPathFor(dir) }), (err: Error & { code?: string }) =>
    err.code === 'ISOLA_AUTH_HELPER_NOT_FOUND' && err.message.includes('docker-credential-nowhere') && err.message.includes(config));
}));

test('a helper that exits non-zero is ISOLA_AUTH_HELPER_FAILED carrying its last stderr line', async () => withDir(async (dir) => {
  await makeCredentialHelper(join(dir, 'bin'), 'locked', { behaviour: 'fail' });
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ credHelpers: { 'a.io': 'locked' } }));
  await assert.rejects(findCredentials('a.io', [config], { searchPath: searchPathFor(dir) }), (err: Error & { code?: string }) =>
    err.code === 'ISOLA_AUTH_HELPER_FAILED' && err.message.endsWith('error: the keyring is locked'));
}));

test('a helper printing broken JSON is ISOLA_AUTH_HELPER_INVALID', async () => withDir(async (dir) => {
  await makeCredentialHelper(join(dir, 'bin'), 'broken', { behaviour: 'bad-json' });
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ credsStore: 'broken' }));
  await assert.rejects(findCredentials('a.io', [config], { searchPath: searchPathFor(dir) }), { code: 'ISOLA_AUTH_HELPER_INVALID' });
}));

test('a helper name with a slash is refused without running anything', async () => withDir(async (dir) => {
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ credsStore: '../../bin/sh' }));
  await assert.rejects(findCredentials('a.io', [config], { searchPath: searchPathFor(dir) }), { code: 'ISOLA_AUTH_FILE_INVALID' });
}));
