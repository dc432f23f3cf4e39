import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCredentials, normalizeAuthKey, removeCredentials, storeCredentials } from './credentials.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-auth-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('docker hub aliases and URL forms name the same registry', () => {
  assert.equal(normalizeAuthKey('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(normalizeAuthKey('registry-1.docker.io'), 'docker.io');
  assert.equal(normalizeAuthKey('http://localhost:5000/v2/'), 'localhost:5000');
});

test('stored credentials are found again, in a 0600 file, and removed by logout', async () => withDir(async (dir) => {
  const path = join(dir, 'containers', 'auth.json');
  await storeCredentials(path, 'localhost:5000', { username: 'u', password: 'p:w' });
  assert.deepEqual(await findCredentials('localhost:5000', [path]), { username: 'u', password: 'p:w' });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal(await removeCredentials(path, 'localhost:5000'), true);
  assert.equal(await findCredentials('localhost:5000', [path]), undefined);
  assert.equal(await removeCredentials(path, 'localhost:5000'), false);
}));

test('docker config.json entries are read when the first file has none, and other keys are kept', async () => withDir(async (dir) => {
  const docker = join(dir, 'config.json');
  await writeFile(docker, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('a:b').toString('base64') } }, psFormat: 'x' }));
  assert.deepEqual(await findCredentials('docker.io', [join(dir, 'missing.json'), docker]), { username: 'a', password: 'b' });
  await storeCredentials(docker, 'quay.io', { username: 'c', password: 'd' });
  assert.equal(JSON.parse(await readFile(docker, 'utf8')).psFormat, 'x');
}));

test('a broken credentials file is ISOLA_AUTH_FILE_INVALID', async () => withDir(async (dir) => {
  const path = join(dir, 'auth.json');
  await writeFile(path, '{not json');
  await assert.rejects(findCredentials('x.io', [path]), (err: { code?: string }) => err.code === 'ISOLA_AUTH_FILE_INVALID');
}));
