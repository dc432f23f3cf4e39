import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { requireRoot } from './requirements.ts';
import { ensureRootlessUser, rootlessUserName, runAsUser } from './rootless-user.ts';

const subordinateLine = `${rootlessUserName}:200000:65536`;
const countLines = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;

describe('ensureRootlessUser', () => {
  test('creates the user and its subordinate ranges once, however often it is called', async (t) => {
    if (!requireRoot(t, 'creates a user with useradd')) return;
    const [first, second] = await Promise.all([ensureRootlessUser(), ensureRootlessUser()]);
    assert.deepEqual(second, first);
    assert.deepEqual(await ensureRootlessUser(), first);
    assert.notEqual(first.uid, 0);
    assert.equal(first.home, `/home/${rootlessUserName}`);
    for (const file of ['/etc/subuid', '/etc/subgid']) {
      const text = await readFile(file, 'utf8');
      assert.equal(countLines(text, subordinateLine), 1, file);
      assert.equal(text.split('\n').filter((l) => l.startsWith(`${rootlessUserName}:`)).length, 1, file);
    }
  });
});

describe('runAsUser', () => {
  test('runs the command with the user\'s uid and gid', async (t) => {
    if (!requireRoot(t, 'switches to the rootless test user')) return;
    const user = await ensureRootlessUser();
    const result = await runAsUser(user, ['id', '-u']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${user.uid}\n`);
    assert.equal((await runAsUser(user, ['id', '-g'])).stdout, `${user.gid}\n`);
  });

  test('gives a clean environment with a private XDG_RUNTIME_DIR', async (t) => {
    if (!requireRoot(t, 'switches to the rootless test user')) return;
    const user = await ensureRootlessUser();
    const result = await runAsUser(user, ['sh', '-c', 'env | sort; stat -c %a:%u "$XDG_RUNTIME_DIR"'],
      { env: { EXTRA: 'yes' } });
    assert.equal(result.code, 0, result.stderr);
    const names = result.stdout.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=')[0]);
    assert.deepEqual(names, ['EXTRA', 'HOME', 'LOGNAME', 'PATH', 'PWD', 'USER', 'XDG_RUNTIME_DIR']);
    assert.match(result.stdout, new RegExp(`^700:${user.uid}$`, 'm'));
  });

  test('feeds input to the command and reports its exit status', async (t) => {
    if (!requireRoot(t, 'switches to the rootless test user')) return;
    const user = await ensureRootlessUser();
    const result = await runAsUser(user, ['sh', '-c', 'cat; exit 3'], { input: 'hello' });
    assert.deepEqual([result.code, result.stdout], [3, 'hello']);
  });
});
