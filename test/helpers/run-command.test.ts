import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { runCommand } from './run-command.ts';

describe('runCommand', () => {
  test('collects stdout, stderr and the exit status', async () => {
    const result = await runCommand(['sh', '-c', 'echo out; echo err >&2; exit 4']);
    assert.deepEqual([result.code, result.stdout, result.stderr, result.timedOut], [4, 'out\n', 'err\n', false]);
  });

  test('passes input on stdin and only the given environment', async () => {
    const result = await runCommand(['/bin/sh', '-c', 'cat; echo "$ONLY"; echo "${HOME:-unset}"'],
      { input: 'in\n', env: { ONLY: 'yes' } });
    assert.equal(result.stdout, 'in\nyes\nunset\n');
  });

  test('kills a command that outlives its timeout, with everything it started', async () => {
    const result = await runCommand(['sh', '-c', 'sleep 600 & echo $!; sleep 600'], { timeoutMs: 200 });
    assert.deepEqual([result.timedOut, result.signal, result.code], [true, 'SIGKILL', 137]);
    // The background sleep held stdout open, so it had exited by the time the output closed.
    const stat = await readFile(`/proc/${result.stdout.trim()}/stat`, 'utf8').catch(() => 'gone');
    assert.ok(stat === 'gone' || / Z /.test(stat), stat);
  });

  test('rejects when the program does not exist', async () => {
    await assert.rejects(runCommand(['/nonexistent/isola-test']), /cannot run/);
  });
});
