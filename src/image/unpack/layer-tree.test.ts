import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LayerTree, splitEntryPath, type LayerNode } from './layer-tree.ts';
import type { TarEntry } from '../tar/tar-entry.ts';

const symlinkTo = (linkPath: string): TarEntry => ({ path: '', type: 'symlink', mode: 0o777, uid: 0, gid: 0, uname: '', gname: '', size: 0,
  mtime: 0, linkPath, devMajor: 0, devMinor: 0, xattrs: new Map(), sparse: undefined });

function treeWith(links: Record<string, string>): { tree: LayerTree; made: string[] } {
  const made: string[] = [];
  const tree = new LayerTree((node) => made.push(node.path));
  for (const [path, target] of Object.entries(links)) {
    const { dir, name } = tree.resolveParent(splitEntryPath(path), true)!;
    tree.add(dir, name, 'symlink', false).entry = symlinkTo(target);
  }
  return { tree, made };
}

const parentPath = (tree: LayerTree, path: string): string => tree.resolveParent(splitEntryPath(path), true)!.dir.path;

test('entry names lose leading slashes, "." and empty parts', () => {
  assert.deepEqual(splitEntryPath('/./usr//bin/./sh'), ['usr', 'bin', 'sh']);
  assert.deepEqual(splitEntryPath('./'), []);
});

test('an entry name with a ".." component or a NUL is refused', () => {
  assert.throws(() => splitEntryPath('a/../../etc'), { kind: 'unsafe-path' });
  assert.throws(() => splitEntryPath('a\0b'), { kind: 'unsafe-path' });
});

test('missing parents are created, and reported once each', () => {
  const { tree, made } = treeWith({});
  assert.equal(parentPath(tree, 'a/b/c'), 'a/b');
  assert.equal(parentPath(tree, 'a/b/d'), 'a/b');
  assert.deepEqual(made, ['a', 'a/b']);
});

test('symlinks in parents resolve inside the root: absolute targets start at it, ".." stops at it', () => {
  const { tree } = treeWith({ 'abs': '/etc', 'rel': '../../../../var', 'usr/lib64': '../lib', 'lib64': 'usr/lib64' });
  assert.equal(parentPath(tree, 'abs/passwd'), 'etc');
  assert.equal(parentPath(tree, 'rel/x'), 'var');
  assert.equal(parentPath(tree, 'usr/lib64/libc.so'), 'lib');
  assert.equal(parentPath(tree, 'lib64/libc.so'), 'lib');
});

test('a symlink loop is refused after 40 links', () => {
  const { tree } = treeWith({ a: 'b', b: 'a' });
  assert.throws(() => tree.resolveParent(['a', 'x'], true), { kind: 'symlink-loop' });
});

test('a file used as a directory is refused', () => {
  const { tree } = treeWith({});
  tree.add(tree.root, 'f', 'file', false);
  assert.throws(() => tree.resolveParent(['f', 'x'], true), { kind: 'not-a-directory' });
});

test('lookup neither follows a final symlink nor creates anything', () => {
  const { tree, made } = treeWith({ link: '/target' });
  assert.equal(tree.lookup(['link'])?.kind, 'symlink');
  assert.equal(tree.lookup(['missing', 'x']), undefined);
  assert.deepEqual(made, []);
});

test('a removed subtree is no longer live nor walked', () => {
  const { tree } = treeWith({});
  tree.resolveParent(['d', 'e', 'f'], true);
  const d = tree.lookup(['d']) as LayerNode;
  const e = tree.lookup(['d', 'e']) as LayerNode;
  tree.remove(d);
  assert.deepEqual([d.isLive, e.isLive], [false, false]);
  assert.deepEqual([...tree.preOrder()].map((n) => n.path), ['']);
});
