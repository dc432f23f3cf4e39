/**
 * Classic BPF as seccomp runs it: the instruction encoding of
 * linux/filter.h (struct sock_filter, 8 bytes: u16 code, u8 jt, u8 jf, u32 k),
 * the layout of struct seccomp_data the filter reads, and the SECCOMP_RET_*
 * values (linux/seccomp.h). Little-endian: this runtime targets x86.
 */

export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

export const BPF = {
  LD_W_ABS: 0x20, // BPF_LD | BPF_W | BPF_ABS
  JMP_JA: 0x05, // BPF_JMP | BPF_JA
  JMP_JEQ_K: 0x15, // BPF_JMP | BPF_JEQ | BPF_K
  JMP_JGT_K: 0x25,
  JMP_JGE_K: 0x35,
  ALU_AND_K: 0x54, // BPF_ALU | BPF_AND | BPF_K
  RET_K: 0x06, // BPF_RET | BPF_K
} as const;

/** The kernel refuses longer programs (BPF_MAXINSNS). */
export const BPF_MAX_INSTRUCTIONS = 4096;

/** Offsets in struct seccomp_data. An argument is a u64: low word first on little-endian. */
export const SECCOMP_DATA = {
  nr: 0,
  arch: 4,
  argLow: (index: number): number => 16 + 8 * index,
  argHigh: (index: number): number => 20 + 8 * index,
} as const;

export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  USER_NOTIF: 0x7fc00000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
  ACTION_FULL: 0xffff0000,
  DATA: 0x0000ffff,
} as const;

/** The action part of a return value, ranked as the kernel ranks stacked filters' results. */
export function actionRank(ret: number): number {
  const action = (ret & SECCOMP_RET.ACTION_FULL) >>> 0;
  const order = [SECCOMP_RET.KILL_PROCESS, SECCOMP_RET.KILL_THREAD, SECCOMP_RET.TRAP, SECCOMP_RET.ERRNO,
    SECCOMP_RET.USER_NOTIF, SECCOMP_RET.TRACE, SECCOMP_RET.LOG, SECCOMP_RET.ALLOW];
  const rank = order.indexOf(action as (typeof order)[number]);
  return rank === -1 ? 0 : rank;
}

/** The bytes of struct sock_filter[] that seccomp(2) takes. */
export function encodeBpf(program: readonly BpfInstruction[]): Uint8Array {
  const out = new Uint8Array(program.length * 8);
  // A DataView: Buffer's write methods cost more on a cold start, where this runs once per container.
  const view = new DataView(out.buffer);
  for (let i = 0; i < program.length; i++) {
    const insn = program[i]!;
    view.setUint16(i * 8, insn.code, true);
    view.setUint8(i * 8 + 2, insn.jt);
    view.setUint8(i * 8 + 3, insn.jf);
    view.setUint32(i * 8 + 4, insn.k >>> 0, true);
  }
  return out;
}

export function decodeBpf(bytes: Uint8Array): BpfInstruction[] {
  if (bytes.length % 8 !== 0) throw new RangeError(`a BPF program is a multiple of 8 bytes, got ${bytes.length}`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const program: BpfInstruction[] = [];
  for (let at = 0; at < view.length; at += 8) {
    program.push({ code: view.readUInt16LE(at), jt: view.readUInt8(at + 2), jf: view.readUInt8(at + 3), k: view.readUInt32LE(at + 4) });
  }
  return program;
}
