import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsCgroupHost } from './host.ts';
import { detectCgroupLayout, parseCgroupMounts, parseProcCgroup } from './layout.ts';

/** The cgroup lines of a real hybrid host's /proc/self/mountinfo. */
const HYBRID_MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const V2_MOUNTINFO = '29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';
const V1_MOUNTINFO = `25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:7 - cgroup cgroup rw,cpu,cpuacct
26 24 0:23 / /sys/fs/cgroup/pids rw,nosuid shared:8 - cgroup cgroup rw,pids
`;

async function detect(mountinfo: string, files: Record<string, string> = {}) {
  const root = await mkdtemp(join(tmpdir(), 'isola-layout-'));
  try {
    for (const [path, text] of Object.entries({ '/proc/self/mountinfo': mountinfo, ...files })) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
    return await detectCgroupLayout(createFsCgroupHost(root));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

describe('detectCgroupLayout', () => {
  it('sees a hybrid host: v1 controllers plus the cgroup2 mount at /sys/fs/cgroup/unified', async () => {
    const layout = await detect(HYBRID_MOUNTINFO, {
      '/sys/fs/cgroup/unified/cgroup.controllers': 'hugetlb\n',
      '/proc/self/cgroup': '8:pids:/\n4:memory:/process_api/9d6c\n0::/\n',
    });
    assert.equal(layout.kind, 'hybrid');
    assert.equal(layout.v1Mounts.get('pids'), '/sys/fs/cgroup/pids');
    assert.equal(layout.v1Mounts.get('cpu'), '/sys/fs/cgroup/cpu');
    assert.equal(layout.v1Mounts.has('name=systemd'), false);
    assert.equal(layout.unifiedMount, '/sys/fs/cgroup/unified');
    assert.deepEqual(layout.unifiedControllers, ['hugetlb']);
    assert.equal(layout.selfPaths.get('memory'), '/process_api/9d6c');
    assert.equal(layout.selfPaths.get(''), '/');
  });

  it('sees a v2-only host when /sys/fs/cgroup is cgroup2, with the controllers of its root', async () => {
    const layout = await detect(V2_MOUNTINFO, { '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n' });
    assert.equal(layout.kind, 'v2');
    assert.equal(layout.unifiedMount, '/sys/fs/cgroup');
    assert.deepEqual(layout.unifiedControllers, ['cpuset', 'cpu', 'io', 'memory', 'pids']);
  });

  it('sees a v1-only host, co-mounted controllers sharing one mount point', async () => {
    const layout = await detect(V1_MOUNTINFO);
    assert.equal(layout.kind, 'v1');
    assert.equal(layout.v1Mounts.get('cpu'), '/sys/fs/cgroup/cpu,cpuacct');
    assert.equal(layout.v1Mounts.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
    assert.equal(layout.unifiedMount, undefined);
  });

  it('counts a name=systemd v1 mount beside cgroup2 as v2, since it holds no controller', async () => {
    const layout = await detect(`${V2_MOUNTINFO}40 31 0:37 / /run/systemd/cg rw - cgroup cgroup rw,name=systemd\n`);
    assert.equal(layout.kind, 'v2');
  });

  it('reports none when no cgroup filesystem is mounted', async () => {
    const layout = await detect('22 1 8:1 / / rw,relatime - ext4 /dev/root rw\n');
    assert.equal(layout.kind, 'none');
    assert.deepEqual(layout.unifiedControllers, []);
  });
});

describe('parseCgroupMounts', () => {
  it('unescapes octal escapes in mount points', () => {
    const [mount] = parseCgroupMounts('41 31 0:38 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n');
    assert.equal(mount?.mountPoint, '/sys/fs/my cgroup');
  });

  it('finds the filesystem type after optional fields', () => {
    const mounts = parseCgroupMounts('26 24 0:23 / /sys/fs/cgroup/pids rw shared:8 master:2 - cgroup cgroup rw,pids,clone_children\n');
    assert.deepEqual(mounts, [{ fstype: 'cgroup', mountPoint: '/sys/fs/cgroup/pids', controllers: ['pids'] }]);
  });
});

describe('parseProcCgroup', () => {
  it('keys each v1 controller of a line, and cgroup2 as the empty name', () => {
    const paths = parseProcCgroup('3:cpu,cpuacct:/a\n0::/user.slice\n');
    assert.deepEqual([...paths], [['cpu', '/a'], ['cpuacct', '/a'], ['', '/user.slice']]);
  });
});
