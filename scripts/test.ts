/**
 * `npm test`: as root, installs the Debian packages the tests use; type-checks;
 * then runs every src/**\/*.test.ts and test/**\/*.test.ts with node:test.
 *
 *   npm test -- [PATH_FILTER...] [--node-test-option...] [--skip-typecheck]
 *
 * A path filter keeps the test files whose path contains it (`npm test -- src/userns`);
 * arguments starting with `-` go to `node --test` and must use the `--opt=value` form
 * (e.g. `--test-name-pattern=overlap`).
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changedDeviceOwners, recordDeviceOwners } from '../test/helpers/device-nodes.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Debian packages the tests call: newuidmap/newgidmap, ps, setpriv, keyctl, getfattr; podman (isola-runtime);
 * images: a local registry, skopeo, busybox, htpasswd; seccomp tools. */
const debianPackages = ['uidmap', 'procps', 'util-linux', 'keyutils', 'python3-minimal', 'podman', 'attr', 'docker-registry', 'skopeo', 'busybox-static', 'apache2-utils', 'seccomp', 'golang-github-containers-common', 'containerd', 'openssl'];

function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const [file, ...args] = argv;
  const result = spawnSync(file ?? '', args, { stdio: 'inherit', cwd: root, env });
  if (result.error !== undefined) {
    console.error(`test: cannot run ${file}: ${result.error.message}`);
    return 127;
  }
  return result.status ?? 128;
}

function missingPackages(): string[] {
  return debianPackages.filter((name) => {
    const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return !(query.stdout ?? '').includes('install ok installed');
  });
}

function installPackages(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  console.log(`test: installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing];
  // A fresh machine may have no package lists yet; fetch them only when needed.
  if (run(install, env) !== 0 && (run(['apt-get', 'update', '-q'], env) !== 0 || run(install, env) !== 0)) {
    console.error(`test: could not install ${missing.join(' ')}; tests needing them will fail`);
  }
}

function findTestFiles(filters: readonly string[]): string[] {
  const files = globSync(['src/**/*.test.ts', 'test/**/*.test.ts'], { cwd: root }).sort();
  return filters.length === 0 ? files : files.filter((file) => filters.some((filter) => file.includes(filter)));
}

const args = process.argv.slice(2);
const skipTypecheck = args.includes('--skip-typecheck');
const nodeTestOptions = args.filter((arg) => arg.startsWith('-') && arg !== '--skip-typecheck');
const filters = args.filter((arg) => !arg.startsWith('-'));

if (process.getuid?.() === 0 && process.platform === 'linux') installPackages();

let typecheckStatus = 0;
if (!skipTypecheck) {
  console.log('test: type check (tsc -p tsconfig.json)');
  typecheckStatus = run([process.execPath, join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  if (typecheckStatus !== 0) console.error('test: type check failed; running the tests anyway');
}

const files = findTestFiles(filters);
if (files.length === 0) {
  console.error(`test: no test files${filters.length > 0 ? ` match ${filters.join(' ')}` : ''}`);
  process.exit(filters.length > 0 ? 1 : typecheckStatus);
}
console.log(`test: running ${files.length} test files with node ${process.version}`);
const reporter = nodeTestOptions.some((arg) => arg.startsWith('--test-reporter')) ? [] : ['--test-reporter=spec'];
// A runtime that chowns a node it bind-mounted changes the host's (test/helpers/device-nodes.ts).
const devicesBefore = await recordDeviceOwners();
let testStatus = run([process.execPath, '--test', '--test-concurrency=2', ...reporter, ...nodeTestOptions, ...files]);
const changedDevices = await changedDeviceOwners(devicesBefore);
if (changedDevices.length > 0) {
  console.error(`test: the tests changed host device nodes: now ${changedDevices.join(', ')}`);
  testStatus ||= 1;
}
console.log(`test: done (tests ${testStatus === 0 ? 'passed' : `failed, status ${testStatus}`}` +
  `${typecheckStatus === 0 ? '' : ', type check failed'})`);
process.exit(testStatus !== 0 ? testStatus : typecheckStatus);
