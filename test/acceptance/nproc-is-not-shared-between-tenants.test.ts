/**
 * Acceptance 1, the nproc story: two tenants whose containers both run as uid
 * 999 inside (everyone's `mysql`), each with `--ulimit nproc=5`. Container A
 * starts five processes and holds them; then container B tries to start its own.
 *
 * - `--userns=host` (docker's default): both are host uid 999 in the host's
 *   user namespace, so they share one RLIMIT_NPROC count. A's five fill it and
 *   B cannot fork at all.
 * - The default, `--userns=auto`: each container has its own user namespace
 *   and its own host range, so B starts its five while A holds its five.
 *
 * Two kernel facts this rests on (see DESIGN.md, "Kernel facts"):
 * - Since Linux 5.14 RLIMIT_NPROC counts the processes of a real uid per
 *   (user namespace, uid) ("ucounts"), not per host uid: two separate user
 *   namespaces created by root do not share the count even when they map the
 *   same host uid. (Before 5.14 the count was per host uid, which disjoint
 *   `auto` ranges keep apart anyway.)
 * - Every user namespace is also charged to its creator's count: the
 *   containers of one rootless user all count against that user's own limit,
 *   whatever uids they run as inside. Only root-created namespaces separate
 *   tenants completely.
 *
 * The limit does not bind processes with CAP_SYS_RESOURCE or CAP_SYS_ADMIN in
 * the initial user namespace; uid 999 loses the default capabilities (they are
 * dropped for a non-root user), so it applies here in both modes. B's script
 * tries one process more than the limit allows, so in auto mode it proves the
 * limit is applied (B stops at exactly five) and not merely missing.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { isolaBin, runIsola } from '../helpers/run-cli.ts';
import { withTempDirs, type TempDirs } from '../helpers/temp-dirs.ts';
import { killQuietly, listContainerDirs, newEnvMarker, pidsWithEnvEntry, readHostIds } from './host-processes.ts';

const tenantUid = 999;
const nprocLimit = 5;
const tenantFlags = ['-u', `${tenantUid}:${tenantUid}`, '--ulimit', `nproc=${nprocLimit}`];
/** sh plus four sleeps: five processes of uid 999, the whole limit. */
const holdFiveScript = 'for i in 1 2 3 4; do sleep 60 & done; echo ready; wait';
/**
 * Prints how many of its processes run after each successful start (sh itself
 * is the first). dash gives up at the first failed fork ("Cannot fork", status
 * 2), so the last number printed is how far it got. Five sleeps are tried: one
 * more than the limit leaves room for.
 */
const countStartsScript = 'n=1; echo $n; for i in 1 2 3 4 5; do sleep 30 & n=$((n+1)); echo $n; done';

/** Host pids whose real uid is `uid`. */
async function hostPidsOfUid(uid: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const uids = await Promise.all(pids.map((pid) => readHostIds(pid).then((ids) => ids.uid, () => undefined)));
  return pids.filter((_, i) => uids[i] === uid);
}

/** The largest count B's script printed, or 0 when its shell never ran. */
function processesStarted(stdout: string): number {
  return Math.max(0, ...stdout.split('\n').filter((line) => /^\d+$/.test(line)).map(Number));
}

interface HoldingContainer {
  /** Host pids of A's processes, pid 1 (the shell) first. */
  readonly pids: readonly number[];
  /** Kills A from the host, waits for its isola to exit and checks nothing of it is left. */
  stop(): Promise<void>;
}

function waitForReady(cli: ChildProcessWithoutNullStreams, stderr: () => string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`container A did not print ready within ${timeoutMs} ms: ${stderr()}`)), timeoutMs);
    cli.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    cli.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`container A exited with ${code} before it was ready: ${stderr()}`));
    });
  });
}

/**
 * The sleeps forked before "ready" was printed, but /proc may not show a child
 * still between fork and exec yet: poll until `count` carry the marker.
 */
async function waitForProcesses(marker: string, count: number, timeoutMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await pidsWithEnvEntry(marker);
    if (pids.length >= count || Date.now() > deadline) return pids;
    await sleep(50);
  }
}

/** Starts container A holding five processes of uid 999 and resolves once all five run. */
async function startHoldingContainer(dirs: TempDirs, rootfs: string, usernsFlags: readonly string[]): Promise<HoldingContainer> {
  const containerMarker = newEnvMarker();
  const cliMarker = newEnvMarker('ISOLA_TEST_CLI');
  const [name = '', value = ''] = cliMarker.split('=');
  const cli = spawn(isolaBin, [...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...usernsFlags, ...tenantFlags,
    '-e', containerMarker, '--', 'sh', '-c', holdFiveScript], { env: { ...process.env, [name]: value }, stdio: 'pipe' });
  let stderr = '';
  cli.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const closed = once(cli, 'close');
  const killAll = async () => {
    for (const pid of await pidsWithEnvEntry(containerMarker)) killQuietly(pid);
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    await closed;
  };
  try {
    await waitForReady(cli, () => stderr);
    const found = await waitForProcesses(containerMarker, nprocLimit);
    const nsPid1 = await Promise.all(found.map(async (pid) => (await readHostIds(pid)).nsPids.at(-1) === 1));
    const pids = [...found.filter((_, i) => nsPid1[i]), ...found.filter((_, i) => !nsPid1[i])];
    assert.equal(pids.length, nprocLimit, `container A should hold ${nprocLimit} processes, found ${found.join(', ')}`);
    assert.equal(nsPid1.filter(Boolean).length, 1, 'one of them is pid 1 in its PID namespace');
    return {
      pids,
      async stop() {
        // SIGKILL to pid 1 ends its PID namespace, which takes the sleeps along.
        killQuietly(pids[0] ?? 0);
        const status = await Promise.race([closed, sleep(15_000, 'still running')]);
        await killAll();
        assert.deepEqual(status, [137, null], `container A's isola should exit with the killed container's status: ${stderr}`);
        assert.deepEqual(await pidsWithEnvEntry(containerMarker), [], 'a process of container A is left');
        assert.deepEqual(await pidsWithEnvEntry(cliMarker), [], 'the isola or isola-shim of container A is left');
      },
    };
  } catch (error) {
    await killAll();
    throw error;
  }
}

/** Runs A, then B while A holds its processes; resolves to how many processes B got going. */
async function runTwoTenants(rootfs: string, usernsFlags: readonly string[]): Promise<{ started: number; aHostUids: number[] }> {
  return withTempDirs(async (dirs) => {
    const a = await startHoldingContainer(dirs, rootfs, usernsFlags);
    let started: number;
    let aHostUids: number[];
    try {
      aHostUids = await Promise.all(a.pids.map(async (pid) => (await readHostIds(pid)).uid));
      const b = await runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...usernsFlags, ...tenantFlags,
        '--', 'sh', '-c', countStartsScript], { timeoutMs: 30_000 });
      assert.equal(b.timedOut, false, 'container B timed out');
      started = processesStarted(b.stdout);
    } finally {
      await a.stop();
    }
    assert.deepEqual(await listContainerDirs(dirs.runroot), [], 'a run directory is left');
    assert.deepEqual(await hostPidsOfUid(tenantUid), [], `a process of host uid ${tenantUid} is left`);
    return { started, aHostUids };
  });
}

describe('RLIMIT_NPROC between two tenants that both run as uid 999 with --ulimit nproc=5', () => {
  test('with --userns=host, B cannot fork while A holds five processes of host uid 999', async (t) => {
    if (!requireRoot(t)) return;
    const rootfs = await ensureHostRootfs();
    // The shared count is the point here: any other process of host uid 999 would distort it.
    assert.deepEqual(await hostPidsOfUid(tenantUid), [], `host uid ${tenantUid} must have no processes before the test`);
    const { started, aHostUids } = await runTwoTenants(rootfs, ['--userns=host']);
    assert.deepEqual(aHostUids, Array(nprocLimit).fill(tenantUid), 'A runs as host uid 999');
    assert.ok(started <= 1, `B started ${started} processes; expected its shell alone, or nothing`);
  });

  test('with the default auto mode, B starts its five while A holds five, and not one more', async (t) => {
    if (!requireRoot(t)) return;
    const rootfs = await ensureHostRootfs();
    const { started, aHostUids } = await runTwoTenants(rootfs, []);
    assert.equal(new Set(aHostUids).size, 1, 'A\'s processes share one host uid');
    assert.notEqual(aHostUids[0], tenantUid, 'A does not run as host uid 999');
    assert.equal(started, nprocLimit);
  });
});
