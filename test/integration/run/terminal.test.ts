import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { isolaBin } from '../../helpers/run-cli.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { MAP } from './run-in-container.ts';

const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Runs isola under `script`, which gives it a real terminal of 30 rows and 100 columns. */
async function runOnTerminal(isolaArgs: readonly string[], input: string): Promise<{ code: number; output: string }> {
  const command = `stty rows 30 cols 100; ${[isolaBin, ...isolaArgs].map(quote).join(' ')}`;
  const r = await runCommand(['script', '-qec', command, '/dev/null'], { input });
  return { code: r.code ?? -1, output: r.stdout.replaceAll('\r', '') };
}

test('-t gives the container its own pty with the caller\'s window size, and -i relays input', async (t) => {
  if (!requireRoot(t) || !requireCommand(t, 'script')) return;
  const rootfs = await ensureHostRootfs({ extraBinaries: ['stty', 'tty'] });
  await withTempDirs(async (dirs) => {
    const r = await runOnTerminal([...dirs.args, 'run', '--rm', '-it', '--rootfs', rootfs, ...MAP, '--', 'sh', '-c',
      'tty; stty size; read line; echo "got $line"; exit 4'], 'hello\n');
    assert.equal(r.code, 4, r.output);
    assert.match(r.output, /^\/dev\/pts\/0$/m);
    assert.match(r.output, /^30 100$/m);
    assert.match(r.output, /^got hello$/m);
  });
});

test('without -t the container has no terminal even when isola has one', async (t) => {
  if (!requireRoot(t) || !requireCommand(t, 'script')) return;
  const rootfs = await ensureHostRootfs({ extraBinaries: ['stty', 'tty'] });
  await withTempDirs(async (dirs) => {
    const r = await runOnTerminal([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...MAP, '--', 'sh', '-c', 'tty; true'], '');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /not a tty/);
  });
});
