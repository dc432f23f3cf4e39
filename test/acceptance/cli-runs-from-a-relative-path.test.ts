/**
 * A user in a checkout types `bin/isola ...`: the launcher must find the
 * repo's Node 24 and sources from a relative $0 as well as an absolute one.
 */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { isolaBin } from '../helpers/run-cli.ts';
import { runCommand } from '../helpers/run-command.ts';

const repoRoot = dirname(dirname(isolaBin));

describe('bin/isola called by a relative path', () => {
  test('prints the usage from the repo root', async () => {
    const result = await runCommand(['bin/isola', '--help'], { cwd: repoRoot });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^usage: isola/);
  });

  test('prints the usage from the bin directory', async () => {
    const result = await runCommand(['./isola', '--help'], { cwd: dirname(isolaBin) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^usage: isola/);
  });
});
