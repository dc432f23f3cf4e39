import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../parse-args.ts';
import { RUN_FLAGS, runOptionsFromArgs } from './run-flags.ts';

async function optionsFor(flags: readonly string[]) {
  return (await runOptionsFromArgs(parseArgs([...flags, '--rootfs', '/r', '--', 'true'], RUN_FLAGS), {}, '/')).options;
}

describe('run flags for cgroup limits', () => {
  it('leaves every limit unset without the flags', async () => {
    const options = await optionsFor([]);
    assert.equal(options.pidsLimit, undefined);
    assert.equal(options.memoryBytes, undefined);
    assert.equal(options.cpus, undefined);
  });

  it('reads --pids-limit N, --memory with docker units and --cpus as a decimal', async () => {
    const options = await optionsFor(['--pids-limit', '10', '--memory', '512m', '--cpus=1.5']);
    assert.equal(options.pidsLimit, 10);
    assert.equal(options.memoryBytes, 512 * 1024 * 1024);
    assert.equal(options.cpus, 1.5);
  });

  for (const [text, bytes] of [
    ['6291456', 6291456], ['7000000b', 7000000], ['64k', 65536], ['1.5g', 1.5 * 1024 ** 3], ['512MB', 512 * 1024 ** 2], ['2GiB', 2 * 1024 ** 3],
  ] as const) {
    it(`reads --memory ${text} as ${bytes} bytes`, async () => {
      assert.equal((await optionsFor(['-m', text])).memoryBytes, bytes);
    });
  }

  for (const [flag, value] of [
    ['--pids-limit', '-1'], ['--pids-limit', '0'], ['--pids-limit', 'ten'], ['--pids-limit', '1.5'],
    ['--memory', '512x'], ['--memory', '-5m'], ['--memory', 'm'], ['--memory', ''],
    ['--cpus', 'two'], ['--cpus', '-1'], ['--cpus', '1,5'],
  ] as const) {
    it(`rejects ${flag} ${JSON.stringify(value)} naming the flag`, async () => {
      await assert.rejects(optionsFor([flag, value]), { code: 'ISOLA_INVALID_OPTION', option: flag });
    });
  }
});

describe('run flags for images', () => {
  const parse = async (argv: readonly string[]) => (await runOptionsFromArgs(parseArgs(argv, RUN_FLAGS), {}, '/')).options;

  it('takes the first argument as the image and the rest as its command', async () => {
    const options = await parse(['--rm', '--pull=never', 'localhost:5000/x:1', 'id', '-u']);
    assert.equal(options.image, 'localhost:5000/x:1');
    assert.deepEqual(options.args, ['id', '-u']);
    assert.equal(options.pull, 'never');
    assert.equal(options.rootfs, undefined);
    assert.equal(options.tlsVerify, true);
  });

  it('reads --tls-verify=false and --entrypoint as a string, a JSON array or empty', async () => {
    assert.equal((await parse(['--tls-verify=false', 'x'])).tlsVerify, false);
    assert.deepEqual((await parse(['--entrypoint', '/bin/sh', 'x'])).entrypoint, ['/bin/sh']);
    assert.deepEqual((await parse(['--entrypoint', '["/bin/sh","-c"]', 'x'])).entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual((await parse(['--entrypoint=', 'x'])).entrypoint, []);
  });

  it('reads --cert-dir against the working directory and --creds USER:PASSWORD for the pull', async () => {
    const options = (await runOptionsFromArgs(parseArgs(['--cert-dir', 'certs', '--creds', 'alice:s3cret', 'x'], RUN_FLAGS), {}, '/home/u')).options;
    assert.equal(options.certDir, '/home/u/certs');
    assert.deepEqual(options.registryCredentials, { username: 'alice', password: 's3cret' });
    await assert.rejects(parse(['--creds', 'alice', 'x']), { code: 'ISOLA_INVALID_OPTION', option: '--creds' });
  });

  it('refuses an unknown --pull policy and a run with neither image nor rootfs', async () => {
    await assert.rejects(parse(['--pull=sometimes', 'x']), (err: { code?: string }) => err.code === 'ISOLA_INVALID_OPTION');
    await assert.rejects(parse(['--rm']), (err: { code?: string }) => err.code === 'ISOLA_INVALID_OPTION');
  });
});

describe('run flags for seccomp and sysctls', () => {
  it('leaves seccomp to the default without --security-opt, and reads unconfined and a profile file', async () => {
    assert.equal((await optionsFor([])).seccomp, undefined);
    assert.deepEqual((await optionsFor(['--security-opt', 'seccomp=unconfined'])).seccomp, { kind: 'unconfined' });
    const dir = await mkdtemp(join(tmpdir(), 'isola-flags-'));
    try {
      await writeFile(join(dir, 'p.json'), '{"defaultAction":"SCMP_ACT_LOG"}');
      assert.deepEqual((await optionsFor(['--security-opt', `seccomp=${join(dir, 'p.json')}`])).seccomp,
        { kind: 'profile', profile: { defaultAction: 'SCMP_ACT_LOG' } });
      await writeFile(join(dir, 'bad.json'), '{"syscalls":[]}');
      await assert.rejects(optionsFor(['--security-opt', `seccomp=${join(dir, 'bad.json')}`]), { code: 'ISOLA_INVALID_OPTION' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses --security-opt values other than seccomp and a missing profile file', async () => {
    for (const value of ['apparmor=unconfined', 'seccomp=', 'seccomp', 'no-new-privileges=maybe', 'seccomp=/no/such/file.json']) {
      await assert.rejects(optionsFor(['--security-opt', value]), { code: 'ISOLA_INVALID_OPTION' }, value);
    }
  });

  it('reads --security-opt no-new-privileges, with or without a value', async () => {
    assert.equal((await optionsFor([])).noNewPrivileges, undefined);
    assert.equal((await optionsFor(['--security-opt', 'no-new-privileges'])).noNewPrivileges, true);
    assert.equal((await optionsFor(['--security-opt', 'no-new-privileges=false'])).noNewPrivileges, false);
  });

  it('reads --sysctl KEY=VALUE, keeping = in the value, and refuses one without a key', async () => {
    assert.deepEqual((await optionsFor(['--sysctl', 'net.ipv4.ip_forward=1', '--sysctl', 'kernel.sem=1 2 3 4'])).sysctls,
      { 'net.ipv4.ip_forward': '1', 'kernel.sem': '1 2 3 4' });
    assert.deepEqual((await optionsFor(['--sysctl', 'k=a=b'])).sysctls, { k: 'a=b' });
    await assert.rejects(optionsFor(['--sysctl', 'noequals']), { code: 'ISOLA_INVALID_OPTION' });
    await assert.rejects(optionsFor(['--sysctl', '=1']), { code: 'ISOLA_INVALID_OPTION' });
  });
});

describe('run flags for layers and volumes', () => {
  it('reads --layer in order, bottom first, instead of --rootfs', async () => {
    const line = await runOptionsFromArgs(parseArgs(['--layer', 'a', '--layer', '/b', '--rootfs-copy', '--', 'true'], RUN_FLAGS), {}, '/w');
    assert.deepEqual(line.options.rootfsLayers, ['/w/a', '/b']);
    assert.equal(line.options.rootfs, undefined);
    assert.equal(line.options.isRootfsCopyForced, true);
  });

  it('refuses both --rootfs and --layer, and neither', async () => {
    await assert.rejects(runOptionsFromArgs(parseArgs(['--rootfs', '/r', '--layer', '/l', '--', 'true'], RUN_FLAGS), {}, '/'), { code: 'ISOLA_INVALID_OPTION' });
    // Neither, and no argument that could be an image.
    await assert.rejects(runOptionsFromArgs(parseArgs(['--rm'], RUN_FLAGS), {}, '/'), { code: 'ISOLA_INVALID_OPTION' });
  });

  it('reads :idmap, :U and a named volume', async () => {
    const [idmapped, chowned, named] = (await optionsFor(['-v', '/h:/c:idmap,ro', '-v', '/h:/c:U', '-v', 'data:/d'])).volumes;
    assert.deepEqual(idmapped, { source: '/h', destination: '/c', isReadonly: true, volumeName: undefined, idmap: 'container', isChowned: false });
    assert.equal(chowned?.isChowned, true);
    assert.deepEqual([named?.volumeName, named?.source], ['data', 'data']);
  });

  it('reads -v /path without a source as an anonymous volume, as docker does', async () => {
    const [volume] = (await optionsFor(['-v', '/scratch'])).volumes;
    assert.deepEqual(volume, { source: '', destination: '/scratch', isReadonly: false, isAnonymous: true });
  });

  it('reads podman\'s idmap=uids=...;gids=... with # between ranges', async () => {
    const [volume] = (await optionsFor(['-v', '/h:/c:idmap=uids=0-1000-10#10-2000-5;gids=0-3000-1'])).volumes;
    assert.deepEqual(volume?.idmap, {
      uidMap: [{ containerId: 0, hostId: 1000, size: 10 }, { containerId: 10, hostId: 2000, size: 5 }],
      gidMap: [{ containerId: 0, hostId: 3000, size: 1 }],
    });
  });

  for (const bad of ['/h:/c:idmap=uids=0-1', '/h:/c:idmap=gids=0-1-1', '/h:/c:idmap=uids=0-1-0', '/h:/c:Z2']) {
    it(`refuses -v ${bad}`, async () => {
      await assert.rejects(optionsFor(['-v', bad]), { code: 'ISOLA_INVALID_OPTION' });
    });
  }
});
