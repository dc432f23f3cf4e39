/**
 * Acceptance 3 of issue #3: with --pids-limit 10, a shell that tries to start
 * 50 background sleeps gets at most 10 processes at once, the forks beyond
 * that fail with EAGAIN, and the host keeps forking.
 *
 * dash gives up its loop at the first refused fork ("Cannot fork"), so the
 * loop runs in an inner shell; the outer one (pid 1) keeps the container at
 * its limit while the test looks at it from the host.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireRoot } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { ANNOUNCE, cgroupDirsFrom, exists, startContainer } from './live-container.ts';

const SCRIPT = `${ANNOUNCE}; sh -c 'for i in $(seq 50); do sleep 60 & done'; echo inner-gave-up; sleep 60 & wait`;

const countLines = (text: string): number => text.split('\n').filter((l) => l !== '').length;

test('--pids-limit 10 holds a shell starting 50 sleeps to 10 processes, refusing the rest with EAGAIN', async (t) => {
  if (!requireRoot(t, 'creates real cgroups')) return;
  await withTempDirs(async (dirs) => {
    const container = await startContainer(dirs, ['--pids-limit', '10'], SCRIPT);
    try {
      await container.waitForOutput(/inner-gave-up\n/);
      const pidsDir = (await cgroupDirsFrom(container.stdout())).get('pids');
      assert.ok(pidsDir !== undefined, `no isola pids cgroup in ${container.stdout()}`);
      assert.equal((await readFile(`${pidsDir}/pids.max`, 'utf8')).trim(), '10');
      for (let i = 0; i < 10; i++) {
        assert.ok(Number(await readFile(`${pidsDir}/pids.current`, 'utf8')) <= 10);
        assert.ok(countLines(await readFile(`${pidsDir}/cgroup.procs`, 'utf8')) <= 10);
        await sleep(20);
      }
      if (await exists(`${pidsDir}/pids.peak`)) assert.equal((await readFile(`${pidsDir}/pids.peak`, 'utf8')).trim(), '10');
      // pids.events counts the forks the controller refused (with EAGAIN).
      const refused = Number(/^max (\d+)$/m.exec(await readFile(`${pidsDir}/pids.events`, 'utf8'))?.[1]);
      assert.ok(refused >= 1, `pids.events shows ${refused} refused forks`);
      assert.match(container.stderr(), /Cannot fork|Resource temporarily unavailable/);
      const host = await runCommand(['sh', '-c', 'for i in $(seq 20); do sleep 0.2 & done; wait; echo host-forked']);
      assert.equal(host.stdout, 'host-forked\n', 'the host starts 20 processes while the container is at its limit');
      assert.equal(await container.stop(), 0);
      assert.equal(await exists(pidsDir), false, 'the cgroup is removed after the container exits');
    } finally {
      await container.stop();
    }
  });
});
