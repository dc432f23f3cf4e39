/**
 * What happens once the whole tar is read: one shim batch makes the nodes
 * Node cannot (fifos, devices, whiteouts) and sets xattrs; then deferred hard
 * links, then the times of the shim's nodes, then every directory's owner,
 * mode and times, children before parents (a directory's mtime changes as
 * entries appear in it, and a read-only mode would stop them appearing).
 */
import { closeSync, constants, chmodSync, linkSync, lchownSync, lutimesSync, openSync, utimesSync } from 'node:fs';
import { FILE_TYPE_BITS, runFsOps, ShimError, type FsOp, type FsOpsResult } from '../../launch/index.ts';
import { LayerError } from './layer-error.ts';
import type { LayerNode } from './layer-tree.ts';
import type { LayerWriter } from './layer-writer.ts';
import { decideXattr } from './xattr-policy.ts';

export interface FinishOptions {
  readonly blob: string;
  readonly target: string;
  readonly shimPath: string;
  readonly whiteouts: 'overlay' | 'overlay-userxattr';
  readonly isRealRoot: boolean;
  readonly uid: number;
  readonly gid: number;
}

export interface FinishStats {
  /** Xattrs not written: dropped by policy or refused by the kernel. */
  readonly skippedXattrs: number;
}

function collectFsOps(writer: LayerWriter, options: FinishOptions): { ops: FsOp[]; dropped: number } {
  const ops: FsOp[] = [];
  let dropped = 0;
  const opaque = options.whiteouts === 'overlay' ? 'trusted.overlay.opaque' : 'user.overlay.opaque';
  for (const node of writer.tree.preOrder()) {
    const entry = node.entry;
    if (node.isPending && entry !== undefined && entry.type !== 'hardlink') {
      const isWhiteout = node.kind === 'whiteout';
      const typeBits = isWhiteout ? FILE_TYPE_BITS.char : FILE_TYPE_BITS[node.kind as keyof typeof FILE_TYPE_BITS];
      ops.push({ kind: 'mknod', path: node.path, mode: typeBits | (isWhiteout ? 0 : entry.mode),
        major: isWhiteout ? 0 : entry.devMajor, minor: isWhiteout ? 0 : entry.devMinor, uid: entry.uid, gid: entry.gid });
    }
    if (node.isOpaque) ops.push({ kind: 'setxattr', path: node.path, name: opaque, value: Buffer.from('y') });
    if (entry === undefined || entry.type === 'hardlink' || node.kind === 'whiteout') continue;
    for (const [name, value] of entry.xattrs) {
      const decision = decideXattr(name, { isRealRoot: options.isRealRoot });
      if (decision === 'drop') dropped++;
      else ops.push({ kind: 'setxattr', path: node.path, name, value, isOptional: decision === 'optional' });
    }
  }
  return { ops, dropped };
}

async function runBatch(ops: FsOp[], options: FinishOptions): Promise<FsOpsResult> {
  const dirFd = openSync(options.target, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    return await runFsOps({ shimPath: options.shimPath, dirFd, ops });
  } catch (err) {
    if (!(err instanceof ShimError)) throw err;
    const path = JSON.stringify(err.path);
    if (err.step === 'fsops-setxattr') {
      throw new LayerError('ISOLA_LAYER_XATTR_REFUSED', options.blob, `setting xattr on ${path} failed: ${err.errnoName}`, {
        cause: err, hint: err.errnoName === 'EPERM' && options.whiteouts === 'overlay'
          ? "trusted.* xattrs need real root: unpack with whiteouts 'overlay-userxattr' in a user namespace" : 'the storage filesystem must support xattrs',
      });
    }
    if (err.step === 'fsops-set-attrs' && err.errnoName === 'EINVAL') {
      throw new LayerError('ISOLA_LAYER_ID_UNMAPPED', options.blob, `${path} is owned by an id this user namespace does not map`,
        { cause: err, hint: 'unpack in a user namespace that maps every id the image uses' });
    }
    throw new LayerError('ISOLA_LAYER_MKNOD_FAILED', options.blob, `creating ${path} failed at ${err.step}: ${err.errnoName}`, { cause: err });
  } finally {
    closeSync(dirFd);
  }
}

function applyDirectory(writer: LayerWriter, node: LayerNode, options: FinishOptions): void {
  const path = writer.abs(node);
  const entry = node.entry;
  if (entry === undefined) { chmodSync(path, 0o755); return; }
  if (entry.uid !== options.uid || entry.gid !== options.gid) lchownSync(path, entry.uid, entry.gid);
  chmodSync(path, entry.mode); // a directory in the model is a real directory, never a symlink
  utimesSync(path, entry.mtime, entry.mtime);
}

export async function finishLayer(writer: LayerWriter, options: FinishOptions): Promise<FinishStats> {
  const { ops, dropped } = collectFsOps(writer, options);
  const result = await runBatch(ops, options);
  for (const { node, source } of writer.deferredLinks) {
    if (node.isLive && source.isLive) linkSync(writer.abs(source), writer.abs(node));
  }
  const directories: LayerNode[] = [];
  for (const node of writer.tree.preOrder()) {
    if (node.kind === 'directory') directories.push(node);
    else if (node.isPending && node.entry !== undefined && node.entry.type !== 'hardlink') {
      lutimesSync(writer.abs(node), node.entry.mtime, node.entry.mtime);
    }
  }
  for (let i = directories.length - 1; i >= 0; i--) {
    const node = directories[i]!;
    try {
      applyDirectory(writer, node, options);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
      throw new LayerError('ISOLA_LAYER_ID_UNMAPPED', options.blob, `directory ${JSON.stringify(node.path)} is owned by ${node.entry?.uid}:${node.entry?.gid}, which this user namespace does not map`,
        { entry: node.entry?.path, cause: err, hint: 'unpack in a user namespace that maps every id the image uses' });
    }
  }
  return { skippedXattrs: dropped + result.skipped };
}
