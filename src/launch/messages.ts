/**
 * Fixed-size reports the shim writes on fd 3: native/report.h in TypeScript.
 */
export const MESSAGE_BYTES = 512;
export const DETAIL_BYTES = 488;

export const MESSAGE_TYPE = { childPid: 1, started: 2, failed: 3, exited: 4, created: 7 } as const;

export interface ShimMessage {
  readonly type: number;
  readonly value: number;
  readonly errno: number;
  readonly step: number;
  readonly index: number;
  readonly isTruncated: boolean;
  readonly detail: string;
}

export function decodeShimMessage(bytes: Buffer): ShimMessage {
  const end = bytes.indexOf(0, 24);
  return {
    type: bytes.readUInt32LE(0),
    value: bytes.readInt32LE(4),
    errno: bytes.readInt32LE(8),
    step: bytes.readUInt32LE(12),
    index: bytes.readUInt32LE(16),
    isTruncated: bytes.readUInt32LE(20) !== 0,
    detail: bytes.toString('utf8', 24, end === -1 || end > MESSAGE_BYTES ? MESSAGE_BYTES : end),
  };
}
