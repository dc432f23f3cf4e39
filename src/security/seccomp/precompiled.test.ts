import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_CAPABILITIES, resolveCapabilities } from '../capabilities.ts';
import { compileSeccomp } from './compile.ts';
import { defaultSeccompProfile } from './default-profile.ts';
import {
  PRECOMPILED_SECCOMP_FILE, PRECOMPILED_SECCOMP_VERSION, compileSeccompCached, findPrecompiledSeccomp, precompileDefaultSeccomp,
  precompileSeccomp, type PrecompiledSeccompFile,
} from './precompiled.ts';
import type { SeccompProfile } from './profile.ts';

const repoDist = join(import.meta.dirname, '..', '..', '..', 'dist');

/** A profile no other test compiles, so this process's memo cannot answer for it. */
const uniqueProfile = (errno: number): SeccompProfile => ({
  defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: errno }],
});

/** A file whose entry holds `program` (base64) for `profile`, as the build would write it. */
function fileWith(profile: SeccompProfile, program: Uint8Array, arch: string = process.arch): PrecompiledSeccompFile {
  const [entry] = precompileSeccomp([profile]).entries;
  return { version: PRECOMPILED_SECCOMP_VERSION, entries: [{ ...entry!, arch, program: Buffer.from(program).toString('base64'), instructionCount: program.length / 8 }] };
}

async function withFile<T>(file: unknown, action: (url: URL) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-seccomp-'));
  try {
    const path = join(dir, PRECOMPILED_SECCOMP_FILE);
    await writeFile(path, JSON.stringify(file));
    return await action(pathToFileURL(path));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('each precompiled default profile holds the program a fresh compile of its profile gives', () => {
  const file = precompileDefaultSeccomp();
  assert.equal(file.entries.length, 3);
  for (const entry of file.entries) {
    const profile = JSON.parse(entry.profile) as SeccompProfile;
    assert.deepEqual(findPrecompiledSeccomp(file, entry.profile), compileSeccomp(profile));
  }
});

test('the default profile of a plain run, and of runs adding capabilities that leave it unchanged, is precompiled', () => {
  const file = precompileDefaultSeccomp();
  for (const add of [[], ['CAP_NET_ADMIN'], ['CAP_SYS_ADMIN'], ['CAP_SYS_PTRACE']]) {
    const capabilities = resolveCapabilities({ add, drop: [], isPrivileged: false });
    const profile = defaultSeccompProfile({ capabilities });
    assert.deepEqual(findPrecompiledSeccomp(file, JSON.stringify(profile)), compileSeccomp(profile), add.join(','));
  }
  const withoutChroot = defaultSeccompProfile({ capabilities: DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT') });
  assert.notEqual(findPrecompiledSeccomp(file, JSON.stringify(withoutChroot)), undefined, 'a capability the profile ignores');
  const withModule = defaultSeccompProfile({ capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_MODULE'] });
  assert.equal(findPrecompiledSeccomp(file, JSON.stringify(withModule)), undefined);
});

test('an entry for another profile text, another architecture or another file version is not used', () => {
  const profile = uniqueProfile(11);
  const file = precompileSeccomp([profile]);
  const json = JSON.stringify(profile);
  assert.notEqual(findPrecompiledSeccomp(file, json), undefined);
  assert.equal(findPrecompiledSeccomp(file, JSON.stringify(uniqueProfile(12))), undefined);
  assert.equal(findPrecompiledSeccomp(file, json, process.arch === 'arm64' ? 'x64' : 'arm64'), undefined);
  assert.equal(findPrecompiledSeccomp({ ...file, version: PRECOMPILED_SECCOMP_VERSION + 1 }, json), undefined);
  assert.equal(findPrecompiledSeccomp({ ...file, entries: [{ ...file.entries[0]!, instructionCount: 1 }] }, json), undefined, 'length mismatch');
  assert.equal(findPrecompiledSeccomp(undefined, json), undefined);
  assert.equal(findPrecompiledSeccomp({ version: PRECOMPILED_SECCOMP_VERSION, entries: [null] }, json), undefined);
});

test('a file holding the identical profile text on this architecture supplies the program', async () => {
  const profile = uniqueProfile(13);
  // Not the profile's real program: only the file can have supplied it.
  const marker = compileSeccomp({ defaultAction: 'SCMP_ACT_KILL_PROCESS' }).program;
  const compiled = await withFile(fileWith(profile, marker), (url) => compileSeccompCached(profile, { precompiledUrl: url }));
  assert.deepEqual(compiled.program, marker);
});

test('a stale file (old profile text, other architecture, damaged) is not used: the profile is compiled', async () => {
  const marker = compileSeccomp({ defaultAction: 'SCMP_ACT_KILL_PROCESS' }).program;
  const cases: [string, (p: SeccompProfile) => unknown][] = [
    ['old profile text', () => fileWith(uniqueProfile(99), marker)],
    ['other architecture', (p) => fileWith(p, marker, process.arch === 'arm64' ? 'x64' : 'arm64')],
    ['damaged', () => '{"version": 1, "entries": ['],
  ];
  for (const [i, [name, makeFile]] of cases.entries()) {
    const profile = uniqueProfile(20 + i);
    const compiled = await withFile(makeFile(profile), (url) => compileSeccompCached(profile, { precompiledUrl: url }));
    assert.deepEqual(compiled, compileSeccomp(profile), name);
  }
});

test('a profile that must be compiled still fails on invalid fields', async () => {
  await assert.rejects(compileSeccompCached({ defaultAction: 'SCMP_ACT_NOPE' }, { field: 'linux.seccomp' }),
    { code: 'ISOLA_SECCOMP_INVALID_PROFILE', field: 'linux.seccomp.defaultAction' });
});

test('the file the build wrote into dist/ holds, for each profile, the program the current compiler gives', async (t) => {
  const path = join(repoDist, PRECOMPILED_SECCOMP_FILE);
  if (!existsSync(path)) return t.skip('dist/ is not built: run scripts/build.ts');
  const file = JSON.parse(await readFile(path, 'utf8')) as PrecompiledSeccompFile;
  assert.equal(file.version, PRECOMPILED_SECCOMP_VERSION);
  for (const entry of file.entries.filter((e) => e.arch === process.arch)) {
    assert.deepEqual(findPrecompiledSeccomp(file, entry.profile), compileSeccomp(JSON.parse(entry.profile) as SeccompProfile),
      'dist/ is stale: rebuild with scripts/build.ts');
  }
});
