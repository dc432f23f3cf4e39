/**
 * Issue 4, scenario 1: a local registry holds a busybox image pushed by skopeo
 * and another pushed by `isola push`; a fresh isola pulls both, and `isola run
 * --rm REF id -u` prints 0 while the host sees the container's process under
 * the container's own range, never as root.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildBusyboxImage, pushWithSkopeo } from '../fixtures/busybox-image.ts';
import { isRegistryAvailable, startRegistry } from '../helpers/registry.ts';
import { requireCommand, requireRoot, requireThat } from '../helpers/requirements.ts';
import { isolaBin, runIsola } from '../helpers/run-cli.ts';
import { withTempDirs, type TempDirs } from '../helpers/temp-dirs.ts';
import { killQuietly, newEnvMarker, parseProcIdMap, readHostIds, waitForPidWithEnvEntry } from './host-processes.ts';

/** Runs `sleep` from the image, reads its host ids and its uid_map, then kills it. */
async function hostViewOf(dirs: TempDirs, reference: string): Promise<{ uid: number; gid: number; uidMap: number[][] }> {
  const marker = newEnvMarker();
  const cli = spawn(isolaBin, [...dirs.args, 'run', '--rm', '--pull=never', '-e', marker, reference, 'sleep', '30'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  cli.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const closed = once(cli, 'close');
  let pid = 0;
  try {
    pid = await waitForPidWithEnvEntry(marker).catch((error: Error) => { throw new Error(`${error.message}; isola said: ${stderr}`); });
    const ids = await readHostIds(pid);
    const uidMap = parseProcIdMap(await readFile(`/proc/${pid}/uid_map`, 'utf8'));
    killQuietly(pid);
    await closed;
    return { uid: ids.uid, gid: ids.gid, uidMap };
  } finally {
    if (pid !== 0) killQuietly(pid);
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
  }
}

test('images pushed by isola and by skopeo pull back and run as root inside, an unprivileged range outside', async (t) => {
  if (!requireRoot(t, 'runs containers from pulled images') || !requireCommand(t, 'skopeo')
    || !requireThat(t, isRegistryAvailable(), 'needs docker-registry (Debian package docker-registry)')) return;
  const work = await mkdtemp(join(tmpdir(), 'isola-accept-images-'));
  const registry = await startRegistry();
  try {
    const image = await buildBusyboxImage(join(work, 'layout'));
    const bySkopeo = `${registry.host}/pushed-by/skopeo:1`;
    const byIsola = `${registry.host}/pushed-by/isola:1`;
    await pushWithSkopeo(image, bySkopeo);
    // One isola pushes: it pulls skopeo's image, renames it, and pushes it under its own name.
    await withTempDirs(async (dirs) => {
      for (const args of [['pull', '--tls-verify=false', bySkopeo], ['tag', bySkopeo, byIsola], ['push', '--tls-verify=false', byIsola]]) {
        const result = await runIsola([...dirs.args, ...args]);
        assert.equal(result.code, 0, `isola ${args.join(' ')}: ${result.stderr}`);
      }
    });
    // A fresh isola pulls both and runs them.
    await withTempDirs(async (dirs) => {
      for (const reference of [bySkopeo, byIsola]) {
        const pulled = await runIsola([...dirs.args, 'pull', '--tls-verify=false', reference]);
        assert.equal(pulled.code, 0, pulled.stderr);
        assert.equal(pulled.stdout.trim(), image.configDigest.slice(7));
        const ran = await runIsola([...dirs.args, 'run', '--rm', '--pull=never', reference, 'id', '-u']);
        assert.equal(ran.code, 0, ran.stderr);
        assert.equal(ran.stdout, '0\n');
        const view = await hostViewOf(dirs, reference);
        const [inside, outside, size] = view.uidMap[0] ?? [];
        assert.equal(inside, 0);
        assert.ok(outside !== undefined && outside >= 65536 && size !== undefined && size >= 65536, `a range of its own: ${JSON.stringify(view.uidMap)}`);
        assert.equal(view.uid, outside, 'the host sees container root as the first id of the range');
        assert.notEqual(view.gid, 0);
      }
      const listed = JSON.parse((await runIsola([...dirs.args, 'images', '--format', 'json'])).stdout) as { Names: string[] }[];
      assert.deepEqual(listed.flatMap((entry) => entry.Names).sort(), [byIsola, bySkopeo].sort());
    });
  } finally {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  }
});
