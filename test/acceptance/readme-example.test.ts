/**
 * Issue 5, scenario 4: the library example in the README runs as written,
 * with only its locations replaced by the test's own.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { assertNothingLeft, isolaIn } from '../helpers/detached.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { runCommand } from '../helpers/run-command.ts';
import { withTempDirs } from '../helpers/temp-dirs.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

async function readmeExample(): Promise<string> {
  const readme = await readFile(join(repo, 'README.md'), 'utf8');
  const match = /<!-- readme-example -->\n```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(match !== null, 'README.md has no <!-- readme-example --> block');
  return match[1]!;
}

test('the README\'s library example runs a detached container, reads its logs, waits for it and removes it', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  const example = await readmeExample();
  const locations = /^const \[root, runroot, rootfs\] = .*$/m;
  assert.match(example, locations);
  await withTempDirs(async (dirs) => {
    const program = example
      .replace("from 'isola/src/engine/index.ts'", `from ${JSON.stringify(join(repo, 'src', 'engine', 'index.ts'))}`)
      .replace(locations, `const [root, runroot, rootfs] = ${JSON.stringify([dirs.root, dirs.runroot, rootfs])};`);
    const file = join(dirs.base, 'example.ts');
    await writeFile(file, program);
    const result = await runCommand([process.execPath, file], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.match(lines[0]!, /^stdout: hello from [0-9a-f]{12}$/);
    assert.equal(lines[1], 'stdout: 0');
    assert.equal(lines[2], 'exit status 0');
    assert.match(lines[3]!, /^ran as host uid \d+$/);
    await assertNothingLeft(isolaIn(dirs), dirs, []);
  });
});
