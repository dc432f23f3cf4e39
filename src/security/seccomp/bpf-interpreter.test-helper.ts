/**
 * Runs a seccomp BPF program on one system call, as the kernel's classic BPF
 * interpreter would, for tests: the compiler's output is decoded from its
 * bytes and evaluated, so tests check behaviour, not instruction layout.
 */
import { BPF, decodeBpf } from './bpf.ts';

export interface SyscallSample {
  readonly nr: number;
  readonly arch: number;
  /** Up to six u64 arguments. */
  readonly args?: readonly bigint[];
}

function seccompData(call: SyscallSample): Buffer {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(call.nr >>> 0, 0);
  data.writeUInt32LE(call.arch >>> 0, 4);
  (call.args ?? []).forEach((arg, i) => data.writeBigUInt64LE(BigInt.asUintN(64, arg), 16 + 8 * i));
  return data;
}

/** The SECCOMP_RET_* value the program returns for the call. */
export function runSeccompBpf(bytes: Uint8Array, call: SyscallSample): number {
  const program = decodeBpf(bytes);
  const data = seccompData(call);
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const insn = program[pc]!;
    switch (insn.code) {
      case BPF.LD_W_ABS:
        if (insn.k > 60 || insn.k % 4 !== 0) throw new Error(`pc ${pc}: load at ${insn.k} outside seccomp_data`);
        a = data.readUInt32LE(insn.k);
        break;
      case BPF.ALU_AND_K: a = (a & insn.k) >>> 0; break;
      case BPF.JMP_JA: pc += insn.k; break;
      case BPF.JMP_JEQ_K: pc += a === insn.k ? insn.jt : insn.jf; break;
      case BPF.JMP_JGT_K: pc += a > insn.k ? insn.jt : insn.jf; break;
      case BPF.JMP_JGE_K: pc += a >= insn.k ? insn.jt : insn.jf; break;
      case BPF.RET_K: return insn.k;
      default: throw new Error(`pc ${pc}: opcode 0x${insn.code.toString(16)} not handled`);
    }
  }
  throw new Error('the program ran off its end');
}
