/**
 * Compiles an OCI seccomp profile into a classic BPF program for
 * seccomp(SECCOMP_SET_MODE_FILTER), in TypeScript, without libseccomp.
 *
 * Program shape: check the audit arch (x86_64, whose calls with
 * __X32_SYSCALL_BIT set are the x32 ABI, i386, aarch64); per arch, load the call
 * number, return at once for calls whose rule has no argument condition
 * (jumps batched so each stays within BPF's 255-instruction reach), then one
 * chain per call with argument conditions, then the default action. A call
 * from an architecture the profile does not list is killed (libseccomp's
 * "bad arch" default).
 *
 * Semantics, following runc where the spec is silent: a rule whose action is
 * the default action is dropped; a name the arch's table does not know is
 * skipped (reported in `skippedSyscalls`); the conditions of one rule must all
 * hold, except that several conditions on the same argument are separate rules
 * (any may hold), as runc does; when several rules of one call match, the most
 * restrictive action wins (the kernel's order for stacked filters), ties going
 * to the rule listed first. 64-bit operands compare as two 32-bit words.
 */
import { Assembler, Label } from './assembler.ts';
import { BPF_MAX_INSTRUCTIONS, SECCOMP_DATA, SECCOMP_RET, actionRank, encodeBpf } from './bpf.ts';
import { SeccompError } from './errors.ts';
import {
  SECCOMP_OPERATORS, actionReturnValue, filterFlags, resolveArchitectures, splitUint64,
  type SeccompArchitecture, type SeccompOperator, type SeccompProfile, type SeccompSyscallRule,
} from './profile.ts';
import { aarch64Syscalls } from './syscalls-aarch64.ts';
import { i386Syscalls } from './syscalls-i386.ts';
import { x32Syscalls } from './syscalls-x32.ts';
import { x86_64Syscalls } from './syscalls-x86-64.ts';

export const AUDIT_ARCH = { X86_64: 0xc000003e, I386: 0x40000003, AARCH64: 0xc00000b7 } as const;
export const X32_SYSCALL_BIT = 0x40000000;

type ArchTables = Readonly<Record<SeccompArchitecture, { readonly numbers: ReadonlyMap<string, number>; readonly audit: number }>>;
let archTables: ArchTables | undefined;

/** Built on the first compile, not at import: a run whose program comes precompiled never needs them. */
function tables(): ArchTables {
  archTables ??= {
    SCMP_ARCH_X86_64: { numbers: new Map(Object.entries(x86_64Syscalls())), audit: AUDIT_ARCH.X86_64 },
    SCMP_ARCH_X32: { numbers: new Map(Object.entries(x32Syscalls()).map(([n, nr]) => [n, nr + X32_SYSCALL_BIT])), audit: AUDIT_ARCH.X86_64 },
    SCMP_ARCH_X86: { numbers: new Map(Object.entries(i386Syscalls())), audit: AUDIT_ARCH.I386 },
    SCMP_ARCH_AARCH64: { numbers: new Map(Object.entries(aarch64Syscalls())), audit: AUDIT_ARCH.AARCH64 },
  };
  return archTables;
}

/** Unconditional jumps per batch: the batch plus its return instructions stay under 255. */
const BATCH = 200;

export interface CompiledSeccomp {
  /** struct sock_filter[] bytes for seccomp(2). */
  readonly program: Uint8Array;
  readonly instructionCount: number;
  /** SECCOMP_FILTER_FLAG_* bits from the profile's flags. */
  readonly flags: number;
  /** Names no included architecture knows, skipped as runc skips them. */
  readonly skippedSyscalls: readonly string[];
  /** Listed architectures without a table here; no process on this host can make their calls. */
  readonly skippedArchitectures: readonly string[];
}

interface Comparison {
  readonly index: number;
  readonly op: SeccompOperator;
  readonly value: { readonly high: number; readonly low: number };
  readonly valueTwo: { readonly high: number; readonly low: number };
}

interface Rule {
  readonly ret: number;
  readonly comparisons: readonly Comparison[];
}

function toComparisons(rule: SeccompSyscallRule, field: string): Comparison[] {
  return (rule.args ?? []).map((arg, i) => {
    const at = `${field}.args[${i}]`;
    if (!Number.isInteger(arg.index) || arg.index < 0 || arg.index > 5) {
      throw new SeccompError('ISOLA_SECCOMP_INVALID_PROFILE', `${at}.index: ${arg.index} is not an argument index from 0 to 5`,
        { field: `${at}.index`, hint: 'system calls have at most six arguments, numbered 0 to 5' });
    }
    if (!(SECCOMP_OPERATORS as readonly string[]).includes(arg.op)) {
      throw new SeccompError('ISOLA_SECCOMP_INVALID_PROFILE', `${at}.op: unknown operator ${JSON.stringify(arg.op)}`,
        { field: `${at}.op`, hint: `use one of ${SECCOMP_OPERATORS.join(', ')}` });
    }
    return { index: arg.index, op: arg.op as SeccompOperator, value: splitUint64(arg.value, `${at}.value`),
      valueTwo: splitUint64(arg.valueTwo ?? 0, `${at}.valueTwo`) };
  });
}

/** One rule, or one per condition when an argument is named twice (runc's reading). */
function toRules(rule: SeccompSyscallRule, ret: number, field: string): Rule[] {
  const comparisons = toComparisons(rule, field);
  const indexes = new Set(comparisons.map((c) => c.index));
  if (indexes.size === comparisons.length) return [{ ret, comparisons }];
  return comparisons.map((c) => ({ ret, comparisons: [c] }));
}

function emitComparison(asm: Assembler, c: Comparison, fail: Label): void {
  const match = new Label('arg-match');
  asm.load(SECCOMP_DATA.argHigh(c.index));
  switch (c.op) {
    case 'SCMP_CMP_EQ': asm.jeq(c.value.high, 'next', fail); asm.load(SECCOMP_DATA.argLow(c.index)); asm.jeq(c.value.low, 'next', fail); break;
    case 'SCMP_CMP_NE': asm.jeq(c.value.high, 'next', match); asm.load(SECCOMP_DATA.argLow(c.index)); asm.jeq(c.value.low, fail, 'next'); break;
    case 'SCMP_CMP_GT': case 'SCMP_CMP_GE':
      asm.jgt(c.value.high, match, 'next'); asm.jeq(c.value.high, 'next', fail); asm.load(SECCOMP_DATA.argLow(c.index));
      if (c.op === 'SCMP_CMP_GT') asm.jgt(c.value.low, 'next', fail);
      else asm.jge(c.value.low, 'next', fail);
      break;
    case 'SCMP_CMP_LT': case 'SCMP_CMP_LE':
      asm.jgt(c.value.high, fail, 'next'); asm.jeq(c.value.high, 'next', match); asm.load(SECCOMP_DATA.argLow(c.index));
      if (c.op === 'SCMP_CMP_LT') asm.jge(c.value.low, fail, 'next');
      else asm.jgt(c.value.low, fail, 'next');
      break;
    case 'SCMP_CMP_MASKED_EQ':
      asm.and(c.value.high); asm.jeq(c.valueTwo.high, 'next', fail);
      asm.load(SECCOMP_DATA.argLow(c.index)); asm.and(c.value.low); asm.jeq(c.valueTwo.low, 'next', fail);
      break;
  }
  asm.place(match);
}

function emitChain(asm: Assembler, rules: readonly Rule[], defaultRet: number): void {
  for (const rule of rules) {
    const fail = new Label('rule-fail');
    for (const c of rule.comparisons) emitComparison(asm, c, fail);
    asm.ret(rule.ret);
    asm.place(fail);
  }
  asm.ret(defaultRet);
}

function emitUnconditional(asm: Assembler, entries: readonly [number, number][]): void {
  for (let start = 0; start < entries.length; start += BATCH) {
    const returns = new Map<number, Label>();
    for (const [nr, ret] of entries.slice(start, start + BATCH)) {
      const label = returns.get(ret) ?? new Label(`ret-${ret.toString(16)}`);
      returns.set(ret, label);
      asm.jeq(nr, label, 'next');
    }
    const after = new Label('batch-end');
    asm.jump(after);
    for (const [ret, label] of returns) {
      asm.place(label);
      asm.ret(ret);
    }
    asm.place(after);
  }
}

function emitConditional(asm: Assembler, nr: number, rules: readonly Rule[], defaultRet: number): void {
  const measure = new Assembler();
  emitChain(measure, rules, defaultRet);
  const after = new Label(`after-${nr}`);
  if (measure.length <= 255) {
    asm.jeq(nr, 'next', after);
  } else {
    const start = new Label(`chain-${nr}`);
    asm.jeq(nr, start, 'next');
    asm.jump(after);
    asm.place(start);
  }
  emitChain(asm, rules, defaultRet);
  asm.place(after);
}

/** Most restrictive first; nothing after a rule without conditions can match. */
function orderRules(rules: readonly Rule[]): readonly Rule[] {
  if (rules.length === 1) return rules;
  const sorted = rules.map((rule, i) => ({ rule, i })).sort((a, b) => actionRank(a.rule.ret) - actionRank(b.rule.ret) || a.i - b.i);
  const out: Rule[] = [];
  for (const { rule } of sorted) {
    out.push(rule);
    if (rule.comparisons.length === 0) break;
  }
  return out;
}

function emitArchBlock(asm: Assembler, byNumber: ReadonlyMap<number, Rule[]>, defaultRet: number): void {
  const unconditional: [number, number][] = [];
  const conditional: [number, readonly Rule[]][] = [];
  for (const [nr, rules] of [...byNumber].sort((a, b) => a[0] - b[0])) {
    const ordered = orderRules(rules);
    const first = ordered[0]!;
    if (ordered.length === 1 && first.comparisons.length === 0) unconditional.push([nr, first.ret]);
    else conditional.push([nr, ordered]);
  }
  emitUnconditional(asm, unconditional);
  for (const [nr, rules] of conditional) emitConditional(asm, nr, rules, defaultRet);
  asm.ret(defaultRet);
}

export interface CompileSeccompOptions {
  /** JSON path of the profile, used in error messages. @default 'linux.seccomp' */
  readonly field?: string | undefined;
}

/**
 * @throws SeccompError ISOLA_SECCOMP_INVALID_PROFILE (unknown action, operator,
 *   flag or architecture, bad errno or operand; `field` names the JSON path),
 *   ISOLA_SECCOMP_UNSUPPORTED (SCMP_ACT_NOTIFY, architectures without the host's),
 *   ISOLA_SECCOMP_TOO_LARGE (more than 4096 instructions).
 */
export function compileSeccomp(profile: SeccompProfile, options: CompileSeccompOptions = {}): CompiledSeccomp {
  const field = options.field ?? 'linux.seccomp';
  const defaultRet = actionReturnValue(profile.defaultAction, profile.defaultErrnoRet, `${field}.defaultAction`, `${field}.defaultErrnoRet`);
  const flags = filterFlags(profile, field);
  const arches = resolveArchitectures(profile, field);
  const byArch = tables();
  const blocks = new Map<number, Map<number, Rule[]>>();
  for (const arch of arches.included) blocks.set(byArch[arch].audit, new Map());
  const skipped = new Set<string>();
  (profile.syscalls ?? []).forEach((entry, i) => {
    const at = `${field}.syscalls[${i}]`;
    const ret = actionReturnValue(entry.action, entry.errnoRet, `${at}.action`, `${at}.errnoRet`);
    const rules = toRules(entry, ret, at);
    if (ret === defaultRet) return;
    for (const name of entry.names) {
      let isKnown = false;
      for (const arch of arches.included) {
        const nr = byArch[arch].numbers.get(name);
        if (nr === undefined) continue;
        isKnown = true;
        const block = blocks.get(byArch[arch].audit)!;
        const existing = block.get(nr);
        if (existing === undefined) block.set(nr, [...rules]);
        else existing.push(...rules);
      }
      if (!isKnown) skipped.add(name);
    }
  });
  const asm = new Assembler();
  asm.load(SECCOMP_DATA.arch);
  const entries: [Label, number, Map<number, Rule[]>][] = [...blocks].map(([audit, rules]) => [new Label(`arch-${audit}`), audit, rules]);
  for (const [label, audit] of entries) {
    const skip = new Label('arch-next');
    asm.jeq(audit, 'next', skip);
    asm.jump(label);
    asm.place(skip);
  }
  asm.ret(SECCOMP_RET.KILL_PROCESS);
  for (const [label, audit, rules] of entries) {
    asm.place(label);
    asm.load(SECCOMP_DATA.nr);
    if (audit === AUDIT_ARCH.X86_64) emitX32Guard(asm, arches.included);
    emitArchBlock(asm, rules, defaultRet);
  }
  const program = asm.assemble();
  if (program.length > BPF_MAX_INSTRUCTIONS) {
    throw new SeccompError('ISOLA_SECCOMP_TOO_LARGE', `${field}: the filter has ${program.length} instructions, more than the kernel's ${BPF_MAX_INSTRUCTIONS}`,
      { field, hint: 'list fewer architectures or merge rules' });
  }
  return { program: encodeBpf(program), instructionCount: program.length, flags, skippedSyscalls: [...skipped], skippedArchitectures: arches.skipped };
}

/** x86_64 and x32 share an audit arch; the x32 bit tells them apart. Kill the one not listed. */
function emitX32Guard(asm: Assembler, included: ReadonlySet<SeccompArchitecture>): void {
  const hasX86_64 = included.has('SCMP_ARCH_X86_64');
  const hasX32 = included.has('SCMP_ARCH_X32');
  if (hasX86_64 && hasX32) return;
  const ok = new Label('abi-ok');
  if (hasX32) asm.jge(X32_SYSCALL_BIT, ok, 'next');
  else asm.jge(X32_SYSCALL_BIT, 'next', ok);
  asm.ret(SECCOMP_RET.KILL_PROCESS);
  asm.place(ok);
}
