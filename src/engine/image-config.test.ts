import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoSizeForImage, mergeImageConfig } from './image-config.ts';

const config = { Entrypoint: ['/entry'], Cmd: ['serve', '--port', '80'], Env: ['PATH=/bin', 'A=image'], User: 'app', WorkingDir: '/srv' };

test('the command is Entrypoint plus Cmd, or plus the user arguments instead of Cmd', () => {
  assert.deepEqual(mergeImageConfig(config, { args: [], env: [] }, 'x').args, ['/entry', 'serve', '--port', '80']);
  assert.deepEqual(mergeImageConfig(config, { args: ['sh'], env: [] }, 'x').args, ['/entry', 'sh']);
});

test('--entrypoint replaces the Entrypoint and drops Cmd; an empty one leaves only the arguments', () => {
  assert.deepEqual(mergeImageConfig(config, { args: [], entrypoint: ['/bin/sh'], env: [] }, 'x').args, ['/bin/sh']);
  assert.deepEqual(mergeImageConfig(config, { args: ['id', '-u'], entrypoint: [], env: [] }, 'x').args, ['id', '-u']);
});

test('the user environment wins over the image environment, user and workdir flags over User and WorkingDir', () => {
  const merged = mergeImageConfig(config, { args: [], env: ['A=user', 'B=2'], user: '0', cwd: '/tmp' }, 'x');
  assert.deepEqual(merged.env, ['PATH=/bin', 'A=user', 'B=2']);
  assert.equal(merged.user, '0');
  assert.equal(merged.cwd, '/tmp');
  const fromImage = mergeImageConfig(config, { args: [], env: [] }, 'x');
  assert.equal(fromImage.user, 'app');
  assert.equal(fromImage.cwd, '/srv');
});

test('an image without a command and no arguments is an invalid option', () => {
  assert.throws(() => mergeImageConfig({ Env: [] }, { args: [], env: [] }, 'x'), (err: { code?: string }) => err.code === 'ISOLA_INVALID_OPTION');
});

test('the auto size covers the highest id in whole 65536 blocks', () => {
  assert.equal(autoSizeForImage(0), 65536);
  assert.equal(autoSizeForImage(65535), 65536);
  assert.equal(autoSizeForImage(65536), 131072);
  assert.equal(autoSizeForImage(100000), 131072);
});
