/**
 * The problem isola exists for: without a user namespace, root in a container
 * that bind-mounts the host's /etc can append to /etc/shadow. With a map,
 * container root is host uid 100000 and the kernel refuses the write.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { runIsola } from '../helpers/run-cli.ts';
import { withTempDirs } from '../helpers/temp-dirs.ts';

const shadowText = 'root:*:19000:0:99999:7:::\n';
// `|| exit 3`: a failed redirection must be told apart from an engine error (125).
const appendToShadow = ['sh', '-c', 'echo "evil::0:0:::::" >> /etc/shadow || exit 3'];

describe('container root and a host file it should not write', () => {
  let dir = '';
  let shadow = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isola-shadow-'));
    // 0755 so the mapped container root can reach the file and the open itself is what fails.
    await chmod(dir, 0o755);
    shadow = join(dir, 'shadow');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function runOnShadow(userns: readonly string[]): Promise<{ code: number; stderr: string; text: string }> {
    await writeFile(shadow, shadowText);
    await chmod(shadow, 0o000);
    const rootfs = await ensureHostRootfs();
    const result = await withTempDirs((dirs) => runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...userns,
      '-v', `${shadow}:/etc/shadow`, '--', ...appendToShadow]));
    return { code: result.code, stderr: result.stderr, text: await readFile(shadow, 'utf8') };
  }

  test('mapped container root cannot append to a root-owned mode 0000 file bound in', async (t) => {
    if (!requireRoot(t)) return;
    const result = await runOnShadow(['--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /Permission denied/);
    assert.equal(result.text, shadowText);
  });

  test('with --userns=host container root is host root and can append to it', async (t) => {
    if (!requireRoot(t)) return;
    const result = await runOnShadow(['--userns=host']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.text, `${shadowText}evil::0:0:::::\n`);
  });
});
