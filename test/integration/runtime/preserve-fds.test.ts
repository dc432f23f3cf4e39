/**
 * --preserve-fds N: the caller's fds 3..3+N-1 reach the container's process
 * under the same numbers, for run, create + start and exec, and no others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot } from '../../helpers/requirements.ts';
import { makeBundle } from './bundle.ts';
import { waitUntil } from './processes.ts';
import { runRuntime, withRuntimeRoot } from './runtime-cli.ts';

/**
 * The shell's fds among 3-9, as "fds: 3 4" (the shell keeps its own above 9;
 * no command substitution, whose pipe would show up).
 */
const LIST_FDS = 'printf fds:; for fd in 3 4 5 6 7 8 9; do [ -e /proc/$$/fd/$fd ] && printf " $fd"; done; echo';

interface Files {
  /** Read-only, holding "alpha". */
  readonly alpha: FileHandle;
  /** Read-only, holding "beta". */
  readonly beta: FileHandle;
  /** Opened for appending; read back with readSink. */
  readonly sink: FileHandle;
  readSink(): Promise<string>;
}

async function withFiles(fn: (files: Files) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-preserve-'));
  await writeFile(join(dir, 'a'), 'alpha\n');
  await writeFile(join(dir, 'b'), 'beta\n');
  const handles = [await open(join(dir, 'a')), await open(join(dir, 'b')), await open(join(dir, 'sink'), 'a')] as const;
  try {
    await fn({ alpha: handles[0], beta: handles[1], sink: handles[2], readSink: () => readFile(join(dir, 'sink'), 'utf8') });
  } finally {
    await Promise.all(handles.map((f) => f.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

async function statusOf(root: string, id: string): Promise<string> {
  const result = await runRuntime(['--root', root, 'state', id]);
  return result.code === 0 ? (JSON.parse(result.stdout) as { status: string }).status : 'gone';
}

test('run --preserve-fds 2 gives the process the caller\'s fds 3 and 4, and no more', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['sh', '-c', `cat <&3; cat <&4; ${LIST_FDS}`] });
  try {
    await withFiles((files) => withRuntimeRoot(async (root) => {
      const result = await runRuntime(['--root', root, 'run', '--preserve-fds', '2', '--bundle', bundle.dir, 'p1'], [files.alpha.fd, files.beta.fd]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'alpha\nbeta\nfds: 3 4\n');
    }));
  } finally {
    await bundle.remove();
  }
});

test('create --preserve-fds passes the fds on to the process start runs, and exec --preserve-fds to its process', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['sh', '-c', `{ ${LIST_FDS}; } >&3; while :; do sleep 0.05; done`] });
  try {
    await withFiles((files) => withRuntimeRoot(async (root) => {
      const created = await runRuntime(['--root', root, 'create', '--preserve-fds', '1', '--bundle', bundle.dir, 'p2'], [files.sink.fd]);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(await files.readSink(), '', 'the process has not started');
      assert.equal((await runRuntime(['--root', root, 'start', 'p2'])).code, 0);
      await waitUntil(async () => (await files.readSink()) !== '');
      assert.equal(await files.readSink(), 'fds: 3\n');

      const execed = await runRuntime(['--root', root, 'exec', '--preserve-fds', '2', 'p2', 'sh', '-c', `cat <&3 >&4; { ${LIST_FDS}; } >&4`],
        [files.beta.fd, files.sink.fd]);
      assert.equal(execed.code, 0, execed.stderr);
      assert.equal(await files.readSink(), 'fds: 3\nbeta\nfds: 3 4\n');
      const plain = await runRuntime(['--root', root, 'exec', 'p2', 'sh', '-c', LIST_FDS], [files.beta.fd]);
      assert.equal(plain.stdout, 'fds:\n', 'without the flag no fd beyond stdio reaches the process');
      assert.equal((await runRuntime(['--root', root, 'delete', '--force', 'p2'])).code, 0);
    }));
  } finally {
    await bundle.remove();
  }
});

// Node itself holds fds 3 to ~20, so only a count beyond those finds a closed one.
test('--preserve-fds naming a closed fd fails before any container exists', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['true'] });
  try {
    await withFiles((files) => withRuntimeRoot(async (root) => {
      const result = await runRuntime(['--root', root, 'run', '--preserve-fds', '500', '--bundle', bundle.dir, 'p3'], [files.alpha.fd, files.beta.fd]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /fd \d+ is not open/);
      assert.equal(await statusOf(root, 'p3'), 'gone');
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
    }));
  } finally {
    await bundle.remove();
  }
});
