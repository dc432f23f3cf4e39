/**
 * An in-memory model of the directory being unpacked, which only this unpack
 * writes to (the target starts empty and private). Every tar path is resolved
 * here first, so the filesystem calls that follow get paths made only of real
 * directories this unpack created: the kernel never meets a symlink on the way.
 *
 * Choice: a symlink in a *parent* component is followed as
 * openat2(RESOLVE_IN_ROOT) would, clamped to the layer root (an absolute target
 * starts at the root, `..` at the root stays there), because containerd and
 * docker resolve layer paths that way and a layer writing through its own
 * symlink is legal if rare. It stays safe because the resolution runs on this
 * model, never on the disk, so no answer can name a place outside the root.
 * The last component is never followed: an entry replaces a symlink, it does
 * not write through it. `..` in entry names is refused outright (no producer
 * writes it; it only appears in attacks).
 */
import type { TarEntry } from '../tar/tar-entry.ts';

export type NodeKind = 'directory' | 'file' | 'symlink' | 'fifo' | 'char' | 'block' | 'whiteout';

export interface LayerNode {
  readonly kind: NodeKind;
  readonly name: string;
  /** Relative path from the root, '' for the root. */
  readonly path: string;
  parent: DirectoryNode | undefined;
  /** The tar entry that made this node; undefined for directories made implicitly as parents. */
  entry: TarEntry | undefined;
  /** Created at the end, by the shim batch (fifo, char, block, whiteout). */
  readonly isPending: boolean;
  /** Present in the tree (false once replaced or removed). */
  isLive: boolean;
  isOpaque: boolean;
  readonly children: Map<string, LayerNode> | undefined;
}

export interface DirectoryNode extends LayerNode {
  readonly kind: 'directory';
  readonly children: Map<string, LayerNode>;
}

export type TreeErrorKind = 'unsafe-path' | 'symlink-loop' | 'not-a-directory';

export class TreeError extends Error {
  readonly kind: TreeErrorKind;
  constructor(kind: TreeErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

const MAX_SYMLINKS = 40; // as the kernel's path walk

/** Splits an entry name into components; strips '/', '.' and empty parts; refuses '..' and NUL. */
export function splitEntryPath(path: string): string[] {
  if (path.includes('\0')) throw new TreeError('unsafe-path', `${JSON.stringify(path)} contains a NUL byte`);
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new TreeError('unsafe-path', `${JSON.stringify(path)} has a '..' component`);
  return parts;
}

const isDirectory = (node: LayerNode | undefined): node is DirectoryNode => node?.kind === 'directory';

export class LayerTree {
  readonly root: DirectoryNode = LayerTree.#makeNode('directory', '', undefined, false) as DirectoryNode;
  /** Called for each directory the resolution must create (a parent the tar did not list). */
  readonly #onImplicitDirectory: (node: DirectoryNode) => void;

  constructor(onImplicitDirectory: (node: DirectoryNode) => void) {
    this.#onImplicitDirectory = onImplicitDirectory;
  }

  static #makeNode(kind: NodeKind, name: string, parent: DirectoryNode | undefined, isPending: boolean): LayerNode {
    const path = parent === undefined ? '' : parent.path === '' ? name : `${parent.path}/${name}`;
    return { kind, name, path, parent, entry: undefined, isPending, isLive: true, isOpaque: false,
      children: kind === 'directory' ? new Map() : undefined };
  }

  /**
   * Resolves all but the last component to a directory, following symlinks
   * inside the root; with `create`, missing directories are made (implicitly).
   * Returns undefined when a component is missing and `create` is false.
   */
  resolveParent(parts: readonly string[], create: boolean): { dir: DirectoryNode; name: string } | undefined {
    if (parts.length === 0) return undefined;
    const dir = this.#walk(this.root, parts.slice(0, -1), create, { links: 0 });
    return dir === undefined ? undefined : { dir, name: parts[parts.length - 1]! };
  }

  /** The node at `parts` without following a final symlink, or undefined. */
  lookup(parts: readonly string[]): LayerNode | undefined {
    if (parts.length === 0) return this.root;
    const resolved = this.resolveParent(parts, false);
    return resolved?.dir.children.get(resolved.name);
  }

  #walk(start: DirectoryNode, parts: readonly string[], create: boolean, count: { links: number }): DirectoryNode | undefined {
    let dir = start;
    for (const part of parts) {
      if (part === '' || part === '.') continue;
      if (part === '..') { dir = dir.parent ?? this.root; continue; }
      let child = dir.children.get(part);
      if (child === undefined) {
        if (!create) return undefined;
        child = this.add(dir, part, 'directory', false);
        this.#onImplicitDirectory(child as DirectoryNode);
      }
      if (child.kind === 'symlink') {
        if (++count.links > MAX_SYMLINKS) throw new TreeError('symlink-loop', `too many symlinks resolving ${child.path}`);
        const target = child.entry?.linkPath ?? '';
        const next = this.#walk(target.startsWith('/') ? this.root : dir, target.split('/'), create, count);
        if (next === undefined) return undefined;
        dir = next;
        continue;
      }
      if (!isDirectory(child)) throw new TreeError('not-a-directory', `${child.path} is a ${child.kind}, not a directory`);
      dir = child;
    }
    return dir;
  }

  add(dir: DirectoryNode, name: string, kind: NodeKind, isPending: boolean): LayerNode {
    const node = LayerTree.#makeNode(kind, name, dir, isPending);
    dir.children.set(name, node);
    return node;
  }

  /** Detaches a node (and its subtree) from the model. */
  remove(node: LayerNode): void {
    node.parent?.children.delete(node.name);
    const stack = [node];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      n.isLive = false;
      if (n.children !== undefined) stack.push(...n.children.values());
    }
  }

  /** Live nodes, parents before children. */
  *preOrder(): Generator<LayerNode> {
    const stack: LayerNode[] = [this.root];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      yield n;
      if (n.children !== undefined) stack.push(...n.children.values());
    }
  }
}
