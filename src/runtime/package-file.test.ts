import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { locatePackageFile } from './package-file.ts';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

test('a package file is found from the package root, the first given path winning at one level', async () => {
  assert.equal(locatePackageFile(['package.json']), `${packageRoot}/package.json`);
  assert.equal(locatePackageFile(['src/storage/userns-worker.ts', 'package.json']), `${packageRoot}/src/storage/userns-worker.ts`);
});

test('the nearest level wins over the package root', async () => {
  assert.equal(locatePackageFile(['package.json', 'package-file.ts']), `${packageRoot}/src/runtime/package-file.ts`);
});

test('a missing file, or a file that is not executable when one must be, is not found', async () => {
  assert.equal(locatePackageFile(['no-such-file-in-isola']), undefined);
  assert.equal(locatePackageFile(['package.json'], { isExecutable: true }), undefined);
  assert.equal(locatePackageFile(['bin/isola'], { isExecutable: true }), `${packageRoot}/bin/isola`);
});
