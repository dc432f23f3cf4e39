/**
 * The TypeScript side of `isola-shim fsops` (native/fsops.h): one shim run
 * performs a whole batch of mknod and setxattr operations (Node has neither)
 * beneath a directory fd, so a layer costs one spawn, not one per file.
 */
import type { Duplex } from 'node:stream';
import { errnoName, IsolaError } from '../errors/index.ts';
import { decodeShimMessage, MESSAGE_BYTES, MESSAGE_TYPE } from './messages.ts';
import { ShimError } from './shim-error.ts';
import { stepName, type ShimStep } from './steps.ts';

export const FSOP = { mknod: 1, setxattr: 2 } as const;
export const FSOP_FLAG_OPTIONAL = 1;
export const FSOPS_MSG_DONE = 64;
const OP_HEADER_BYTES = 40;

/** File type bits for `mknod` modes (S_IF*). */
export const FILE_TYPE_BITS = { fifo: 0o010000, char: 0o020000, block: 0o060000 } as const;

export type FsOp =
  | {
    readonly kind: 'mknod';
    /** Relative to the directory; no symlink on the way is followed. */
    readonly path: string;
    /** File type bits (FILE_TYPE_BITS) plus permission and set-id bits. */
    readonly mode: number;
    readonly major: number;
    readonly minor: number;
    readonly uid: number;
    readonly gid: number;
  }
  | {
    readonly kind: 'setxattr';
    readonly path: string;
    readonly name: string;
    readonly value: Buffer;
    /** A failure is counted as skipped instead of failing the batch. */
    readonly isOptional?: boolean | undefined;
  };

export interface RunFsOpsOptions {
  readonly shimPath: string;
  /** An open directory (O_DIRECTORY); the shim receives it as its fd 4. */
  readonly dirFd: number;
  readonly ops: readonly FsOp[];
}

export interface SkippedFsOp {
  readonly step: ShimStep | 'unknown';
  readonly errnoName: string;
  /** "path" or "path xattr-name". */
  readonly detail: string;
  readonly index: number;
}

export interface FsOpsResult {
  /** Optional ops that failed and were skipped. */
  readonly skipped: number;
  readonly firstSkipped: SkippedFsOp | undefined;
}

export function encodeFsOps(ops: readonly FsOp[]): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32LE(ops.length, 0);
  parts.push(count);
  for (const op of ops) {
    const path = Buffer.from(op.path, 'utf8');
    const name = Buffer.from(op.kind === 'setxattr' ? op.name : '', 'utf8');
    const value = op.kind === 'setxattr' ? op.value : Buffer.alloc(0);
    const header = Buffer.alloc(OP_HEADER_BYTES);
    const fields = op.kind === 'mknod'
      ? [FSOP.mknod, 0, op.mode, op.uid, op.gid, op.major, op.minor]
      : [FSOP.setxattr, op.isOptional === true ? FSOP_FLAG_OPTIONAL : 0, 0, 0, 0, 0, 0];
    [...fields, path.length, name.length, value.length].forEach((v, i) => header.writeUInt32LE(v, i * 4));
    parts.push(header, path, name, value);
  }
  const body = Buffer.concat(parts);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length, 0);
  return Buffer.concat([length, body]);
}

/** Runs the batch; throws ShimError (step + errno + path) for the first op that failed and was not optional. */
export async function runFsOps(options: RunFsOpsOptions): Promise<FsOpsResult> {
  if (options.ops.length === 0) return { skipped: 0, firstSkipped: undefined };
  const { spawn } = await import('node:child_process'); // only when used: see exec-shim.ts
  const child = spawn(options.shimPath, ['fsops'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', options.dirFd] });
  const socket = child.stdio[3] as Duplex;
  const replies: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => replies.push(chunk));
  socket.on('error', () => {}); // the exit status and the missing reply report it
  socket.end(encodeFsOps(options.ops));
  const [code, isSocketClosed] = await Promise.all([
    new Promise<number | string>((resolve, reject) => {
      child.once('error', (error) => reject(new IsolaError('ISOLA_LAUNCH_SHIM_MISSING',
        `cannot run the shim ${options.shimPath}: ${error.message}`, { hint: 'run `npm install` to build it', cause: error })));
      child.once('exit', (exitCode, signal) => resolve(signal ?? exitCode ?? 'unknown'));
    }),
    new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
  ]);
  const reply = Buffer.concat(replies);
  if (!isSocketClosed || reply.length < MESSAGE_BYTES) {
    throw new IsolaError('ISOLA_LAUNCH_SHIM_DIED', `the shim's fsops mode exited (${code}) without a report`);
  }
  const message = decodeShimMessage(reply.subarray(0, MESSAGE_BYTES));
  if (message.type === MESSAGE_TYPE.failed) throw new ShimError(message);
  if (message.type !== FSOPS_MSG_DONE || code !== 0) {
    throw new IsolaError('ISOLA_LAUNCH_SHIM_DIED', `the shim's fsops mode sent message ${message.type} and exited (${code})`);
  }
  return {
    skipped: message.value,
    firstSkipped: message.value === 0 ? undefined : {
      step: stepName(message.step), errnoName: errnoName(message.errno),
      detail: message.detail + (message.isTruncated ? '...' : ''), index: message.index,
    },
  };
}
