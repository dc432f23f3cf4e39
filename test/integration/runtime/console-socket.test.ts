/**
 * --console-socket: the container's pty master arrives over a unix socket
 * (SCM_RIGHTS), as conmon and containerd's shim receive it, and is a working
 * terminal for the process. The receiver is a small Python program, since
 * Node cannot receive file descriptors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { makeBundle } from './bundle.ts';
import { runRuntime, withRuntimeRoot } from './runtime-cli.ts';

const receiver = fileURLToPath(new URL('console-receiver.py', import.meta.url));

test('create --console-socket sends a pty master the started process uses as its terminal', async (t) => {
  if (!requireRoot(t) || !requireCommand(t, 'python3')) return;
  const bundle = await makeBundle({ args: ['sh', '-c', 'readlink /proc/self/fd/0; [ -t 0 ] && echo stdin-is-a-tty'], hasTerminal: true });
  try {
    await withRuntimeRoot(async (root) => {
      const socketPath = join(bundle.dir, 'console.sock');
      const python = spawn('python3', [receiver, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      python.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      while (!output.includes('listening')) await once(python.stdout, 'data');
      const exited = once(python, 'exit');
      const created = await runRuntime(['--root', root, 'create', '--bundle', bundle.dir, '--console-socket', socketPath, 'tty1']);
      assert.equal(created.code, 0, created.stderr);
      assert.equal((await runRuntime(['--root', root, 'start', 'tty1'])).code, 0);
      await exited;
      const [, name, ...lines] = output.split('\n');
      assert.match(name ?? '', /^\/dev\/pts\/\d+$/);
      assert.match(lines.join('\n'), /\/dev\/pts\/0\r?\n/);
      assert.match(lines.join('\n'), /stdin-is-a-tty/);
    });
  } finally {
    await bundle.remove();
  }
});

test('a terminal without a console socket is refused by create, leaving nothing', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['true'], hasTerminal: true });
  try {
    await withRuntimeRoot(async (root) => {
      const created = await runRuntime(['--root', root, 'create', '--bundle', bundle.dir, 'tty2']);
      assert.equal(created.code, 1);
      assert.match(created.stderr, /console-socket/);
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
    });
  } finally {
    await bundle.remove();
  }
});
