/**
 * A tiny classic-BPF assembler: instructions jump to labels, and assemble()
 * turns labels into the relative offsets BPF wants. Conditional jumps reach
 * at most 255 instructions ahead; the compiler lays code out so they do
 * (long jumps use JA, whose offset is 32 bits), and assemble() checks it.
 */
import { BPF, type BpfInstruction } from './bpf.ts';
import { SeccompError } from './errors.ts';

/** A position in the program; `next` is the instruction after the jump. */
export type Target = Label | 'next';

export class Label {
  readonly name: string;
  /** Instruction index, set by assemble(); a field rather than a Map, as this runs for every container. */
  position = -1;
  constructor(name: string) {
    this.name = name;
  }
}

type Item =
  | { readonly kind: 'insn'; readonly code: number; readonly k: number; readonly jt: Target; readonly jf: Target }
  | { readonly kind: 'label'; readonly label: Label };

export class Assembler {
  readonly #items: Item[] = [];

  load(offset: number): void {
    this.#push(BPF.LD_W_ABS, offset);
  }
  and(mask: number): void {
    this.#push(BPF.ALU_AND_K, mask);
  }
  ret(value: number): void {
    this.#push(BPF.RET_K, value);
  }
  jump(target: Label): void {
    this.#items.push({ kind: 'insn', code: BPF.JMP_JA, k: 0, jt: target, jf: 'next' });
  }
  jeq(k: number, jt: Target, jf: Target): void {
    this.#push(BPF.JMP_JEQ_K, k, jt, jf);
  }
  jgt(k: number, jt: Target, jf: Target): void {
    this.#push(BPF.JMP_JGT_K, k, jt, jf);
  }
  jge(k: number, jt: Target, jf: Target): void {
    this.#push(BPF.JMP_JGE_K, k, jt, jf);
  }
  place(label: Label): void {
    this.#items.push({ kind: 'label', label });
  }
  /** Instructions emitted so far. */
  get length(): number {
    return this.#items.filter((item) => item.kind === 'insn').length;
  }

  #push(code: number, k: number, jt: Target = 'next', jf: Target = 'next'): void {
    this.#items.push({ kind: 'insn', code, k: k >>> 0, jt, jf });
  }

  assemble(): BpfInstruction[] {
    let pc = 0;
    for (const item of this.#items) {
      if (item.kind === 'label') item.label.position = pc;
      else pc++;
    }
    const offset = (from: number, target: Target, limit: number): number => {
      if (target === 'next') return 0;
      if (target.position === -1) throw new Error(`BPF label ${target.name} is never placed`);
      const distance = target.position - from - 1;
      if (distance < 0 || distance > limit) {
        throw new SeccompError('ISOLA_SECCOMP_TOO_LARGE', `a jump to ${target.name} spans ${distance} instructions, more than BPF allows (${limit})`,
          { hint: 'split the rules of this system call into fewer arguments' });
      }
      return distance;
    };
    const program: BpfInstruction[] = [];
    for (const item of this.#items) {
      if (item.kind === 'label') continue;
      const from = program.length;
      if (item.code === BPF.JMP_JA) program.push({ code: item.code, jt: 0, jf: 0, k: offset(from, item.jt, 0xffffffff) });
      else program.push({ code: item.code, jt: offset(from, item.jt, 255), jf: offset(from, item.jf, 255), k: item.k });
    }
    return program;
  }
}
