import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { defaultSpec, locateShim, readHostContext, runContainer, type DefaultSpecOptions } from '../../../src/runtime/index.ts';

async function runSpec(options: DefaultSpecOptions): Promise<number | undefined> {
  const rootfs = await ensureHostRootfs();
  const spec = defaultSpec(options);
  const config = { ...spec, root: { path: rootfs, readonly: true }, process: { ...spec.process!, terminal: false } };
  const launched = await runContainer(config, {
    host: await readHostContext('/usr/sbin:/usr/bin:/sbin:/bin'), bundle: '/', shimPath: await locateShim(),
    isInteractive: false, isHostTerminalRaw: false,
  });
  return (await launched.exited).code;
}

test('the config spec writes runs as it is, with only the rootfs and terminal changed', async (t) => {
  if (!requireRoot(t)) return;
  assert.equal(await runSpec({ args: ['sh', '-c', 'test -e /proc/self/status && test -c /dev/pts/ptmx && grep -q "^NoNewPrivs:.1" /proc/self/status'] }), 0);
});

test('the rootless config maps the given ids to root in a user namespace', async (t) => {
  if (!requireRoot(t)) return;
  const script = 'read inside outside size < /proc/self/uid_map; test "$inside $outside $size" = "0 1000 1" && test "$(id -u)" = 0';
  assert.equal(await runSpec({ rootless: { uid: 1000, gid: 1000 }, args: ['sh', '-c', script] }), 0);
});
