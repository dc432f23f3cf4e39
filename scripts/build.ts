/**
 * Builds what isola needs at run time: the C shim (native/ -> build/isola-shim)
 * with the system C compiler, and the executables' bundles (src/cli/bin.ts -> dist/isola.cjs
 * and its bundle, likewise isola-runtime), so start-up reads two files (and a code
 * cache: src/cli/code-cache.ts). Runs on `npm install` / `npm ci`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const cflags = [
  '-std=gnu11', '-D_GNU_SOURCE', '-O2', '-Wall', '-Wextra', '-Werror', '-Wshadow', '-Wformat=2',
  '-D_FORTIFY_SOURCE=2', '-fstack-protector-strong',
];

function buildShim(): void {
  const sources = readdirSync(join(root, 'native')).filter((f) => f.endsWith('.c')).map((f) => join(root, 'native', f));
  if (sources.length === 0) return;
  mkdirSync(join(root, 'build'), { recursive: true });
  const cc = process.env['CC'] ?? 'cc';
  const output = ['-o', join(root, 'build', 'isola-shim')];
  // Linked statically where the C library allows it: a detached container's
  // monitor is this binary, and without the shared libraries' pages it stays
  // under 1 MiB resident (measured: 852 kB static, 1,676 kB dynamic), its
  // pages shared by every monitor. Unused sections are dropped for the same reason.
  try {
    execFileSync(cc, [...cflags, '-static', '-ffunction-sections', '-fdata-sections', '-Wl,--gc-sections', ...output, ...sources],
      { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    execFileSync(cc, [...cflags, ...output, ...sources], { stdio: 'inherit' });
  }
}

/** The executables: dist/NAME.cjs starts dist/NAME.bundle.cjs. */
const EXECUTABLES = [
  { name: 'isola', entry: join(root, 'src', 'cli', 'bin.ts') },
  { name: 'isola-runtime', entry: join(root, 'src', 'cli', 'runtime-bin.ts') },
];

async function bundleCli(): Promise<void> {
  const executables = EXECUTABLES.filter(({ entry }) => existsSync(entry));
  if (executables.length === 0) return;
  // esbuild is a dev dependency; an install without it runs the sources by type stripping.
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return;
  }
  const outdir = join(root, 'dist');
  rmSync(outdir, { recursive: true, force: true });
  // One CommonJS file each: Node loads it in one read, where ES module chunks
  // cost a resolve, read and link each (measured 8 ms more for `isola run`).
  // Commands stay lazy: esbuild runs a dynamically imported module's top level
  // only when it is imported.
  const common = {
    bundle: true, platform: 'node', format: 'cjs', target: 'node22', outdir, outExtension: { '.js': '.cjs' }, logLevel: 'warning',
  } as const;
  await esbuild.build({
    ...common,
    entryPoints: executables.map(({ name, entry }) => ({ in: entry, out: `${name}.bundle` })),
    define: { 'import.meta.url': 'importMetaUrl' },
    // `import('node:sqlite')` becomes a require: vm.Script (code-cache.ts)
    // has no module loader of its own.
    supported: { 'dynamic-import': false },
    // Written already wrapped as Node's loader wraps a CommonJS module, so
    // code-cache.ts compiles the file as read: no 250 kB concatenation to copy.
    banner: { js: "(function (exports, require, module, __filename, __dirname) {const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    footer: { js: '})' },
  });
  // The entries that start the bundles (code-cache.ts).
  await esbuild.build({
    ...common,
    entryPoints: executables.map(({ name }) => ({ in: join(root, 'src', 'cli', 'start-bundle.ts'), out: name })),
  });
  await precompileSeccomp(outdir);
}

/**
 * The default seccomp profile compiled once here rather than on every
 * `isola run` (the compile cost 5-12 ms of CPU per cold start). Written with
 * the bundle, so the program comes from the compiler the bundle holds; see
 * src/security/seccomp/precompiled.ts for when it is used.
 */
async function precompileSeccomp(outdir: string): Promise<void> {
  const { PRECOMPILED_SECCOMP_FILE, precompileDefaultSeccomp } = await import('../src/security/index.ts');
  writeFileSync(join(outdir, PRECOMPILED_SECCOMP_FILE), `${JSON.stringify(precompileDefaultSeccomp())}\n`);
}

buildShim();
await bundleCli();
