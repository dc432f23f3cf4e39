/**
 * Dependencies point one way (DESIGN.md's module map): cli -> engine ->
 * (spec, userns, ...) -> runtime -> launch, cgroups, security. Two
 * refinements the code relies on: userns/ is pure ID-map logic that the
 * runtime uses too (it must decide how to write maps in a config it did not
 * build), and the OCI config types live in runtime/ (the runtime reads
 * configs from other engines), so spec/ and launch/ may import *types* from
 * below or beside them but no code. Only a folder's index.ts may be
 * imported from outside it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { glob, readFile } from 'node:fs/promises';

const srcDir = new URL('../../src/', import.meta.url);

/** Folders each folder may import code from. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  // runtime: only for isola-runtime's command line (src/cli/runtime/), the OCI runtime CLI over runtime/.
  cli: ['engine', 'spec', 'userns', 'security', 'errors', 'runtime'],
  engine: ['spec', 'runtime', 'userns', 'security', 'launch', 'cgroups', 'errors', 'image', 'storage', 'sqlite'],
  storage: ['runtime', 'launch', 'userns', 'errors'],
  spec: ['security', 'userns', 'errors'],
  image: ['runtime', 'launch', 'errors', 'sqlite'],
  runtime: ['launch', 'cgroups', 'security', 'userns', 'errors'],
  launch: ['errors'],
  cgroups: ['errors'],
  security: ['errors'],
  userns: ['errors'],
  errors: [],
  // The node:sqlite wrapper engine/state and image/ share: a leaf like errors/.
  sqlite: [],
};
/** Folders each folder may import types (only) from, beyond ALLOWED. */
const TYPES_ALLOWED: Readonly<Record<string, readonly string[]>> = { spec: ['runtime'], launch: ['userns'] };

interface Violation { file: string; target: string; why: string }

async function findViolations(): Promise<Violation[]> {
  const violations: Violation[] = [];
  for await (const file of glob('**/*.ts', { cwd: srcDir })) {
    if (file.endsWith('.test.ts') || file.includes('test-helper')) continue;
    const folder = file.split('/')[0]!;
    const text = await readFile(new URL(file, srcDir), 'utf8');
    for (const match of text.matchAll(/^(import|export)( type)?\b[^;]*?from '((?:\.\.\/)+)([\w-]+)\/([^']+)'/gms)) {
      const [, , typeOnly, ups, target, rest] = match;
      const depth = file.split('/').length - 1;
      if (ups!.length / 3 !== depth || target === folder) continue; // stays inside the folder
      if (rest !== 'index.ts') violations.push({ file, target: `${target}/${rest}`, why: 'imports past the index.ts' });
      const isAllowed = ALLOWED[folder]?.includes(target!) === true || (typeOnly !== undefined && TYPES_ALLOWED[folder]?.includes(target!) === true);
      if (!isAllowed) violations.push({ file, target: target!, why: typeOnly === undefined ? 'code import against the direction' : 'type import against the direction' });
    }
  }
  return violations;
}

test('every import between src/ folders follows the module map and goes through index.ts', async () => {
  const violations = await findViolations();
  assert.deepEqual(violations, []);
});
