import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFiles, defaultLocations } from './context.ts';

test('root reads only the system configuration; a user also reads its own', () => {
  assert.deepEqual(configFiles({ HOME: '/root' }, 0), ['/etc/isola/isola.toml']);
  assert.deepEqual(configFiles({ HOME: '/home/a' }, 1000), ['/etc/isola/isola.toml', '/home/a/.config/isola/isola.toml']);
  assert.deepEqual(configFiles({ HOME: '/home/a', XDG_CONFIG_HOME: '/cfg' }, 1000), ['/etc/isola/isola.toml', '/cfg/isola/isola.toml']);
});

test('root keeps state in /var/lib and /run, a user under its XDG directories', () => {
  assert.deepEqual(defaultLocations({}, 0), { root: '/var/lib/isola', runroot: '/run/isola' });
  assert.deepEqual(defaultLocations({ HOME: '/home/a', XDG_RUNTIME_DIR: '/run/user/1000' }, 1000),
    { root: '/home/a/.local/share/isola', runroot: '/run/user/1000/isola' });
});
