/**
 * Seccomp profiles in docker's and podman's file format (moby's
 * profiles/seccomp, containers/common's seccomp.json) turned into the OCI
 * form the runtime compiles. The file format adds an `archMap` and, per rule,
 * `includes` and `excludes` conditions on the container's capabilities, the
 * host architecture and the kernel version; the engine resolves them for one
 * container, as docker and podman do before writing config.json.
 */
import type { SeccompArgRule, SeccompProfile, SeccompSyscallRule } from './profile.ts';
import { nativeArchitecture, type SeccompArchitecture } from './profile.ts';

interface Conditions {
  readonly caps?: readonly string[] | undefined;
  readonly arches?: readonly string[] | undefined;
  /** `5.8`: the rule needs (includes) or must not have (excludes) this kernel. */
  readonly minKernel?: string | undefined;
}

interface DockerRule {
  readonly names?: readonly string[] | undefined;
  /** Single-name form of older profiles. */
  readonly name?: string | undefined;
  readonly action: string;
  readonly errnoRet?: number | undefined;
  readonly args?: readonly SeccompArgRule[] | null | undefined;
  readonly includes?: Conditions | undefined;
  readonly excludes?: Conditions | undefined;
}

export interface DockerSeccompProfile {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number | undefined;
  readonly architectures?: readonly string[] | undefined;
  readonly archMap?: readonly { readonly architecture: string; readonly subArchitectures?: readonly string[] | null }[] | undefined;
  readonly flags?: readonly string[] | undefined;
  readonly syscalls?: readonly DockerRule[] | undefined;
}

/** Go's GOARCH names, which `includes.arches` uses. */
const GO_ARCH: Readonly<Record<SeccompArchitecture, string>> = {
  SCMP_ARCH_X86_64: 'amd64', SCMP_ARCH_X32: 'x32', SCMP_ARCH_X86: '386', SCMP_ARCH_AARCH64: 'arm64',
};

/** A profile in the file format: it has an archMap or rules with includes/excludes. */
export function isDockerSeccompProfile(profile: object): boolean {
  const p = profile as { archMap?: unknown; syscalls?: readonly { includes?: unknown; excludes?: unknown }[] };
  return p.archMap !== undefined || (p.syscalls ?? []).some((rule) => rule.includes !== undefined || rule.excludes !== undefined);
}

export interface DockerProfileOptions {
  /** The container's bounding set, `CAP_*` names. */
  readonly capabilities: readonly string[];
  /** The running kernel, e.g. `6.1`. @default every minKernel condition counts as met (isola needs 5.12 or newer anyway) */
  readonly kernelVersion?: string | undefined;
}

function kernelAtLeast(kernel: string | undefined, wanted: string): boolean {
  if (kernel === undefined) return true;
  const [major = 0, minor = 0] = kernel.split('.').map(Number);
  const [wantMajor = 0, wantMinor = 0] = wanted.split('.').map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

/** moby's reading: every included capability must be held, any excluded one held drops the rule. */
function applies(rule: DockerRule, caps: ReadonlySet<string>, arch: string, kernel: string | undefined): boolean {
  const { includes = {}, excludes = {} } = rule;
  if ((includes.caps ?? []).some((cap) => !caps.has(cap))) return false;
  if ((excludes.caps ?? []).some((cap) => caps.has(cap))) return false;
  if ((includes.arches ?? []).length > 0 && !includes.arches!.includes(arch)) return false;
  if ((excludes.arches ?? []).includes(arch)) return false;
  if (includes.minKernel !== undefined && !kernelAtLeast(kernel, includes.minKernel)) return false;
  if (excludes.minKernel !== undefined && kernelAtLeast(kernel, excludes.minKernel)) return false;
  return true;
}

export function fromDockerSeccompProfile(profile: DockerSeccompProfile, options: DockerProfileOptions): SeccompProfile {
  const native = nativeArchitecture();
  const caps = new Set(options.capabilities);
  const entry = (profile.archMap ?? []).find((a) => a.architecture === native);
  const architectures = entry === undefined ? profile.architectures : [entry.architecture, ...entry.subArchitectures ?? []];
  const syscalls: SeccompSyscallRule[] = (profile.syscalls ?? [])
    .filter((rule) => applies(rule, caps, GO_ARCH[native], options.kernelVersion))
    .map((rule) => ({
      names: rule.names ?? (rule.name === undefined ? [] : [rule.name]), action: rule.action,
      ...(rule.errnoRet === undefined ? {} : { errnoRet: rule.errnoRet }),
      ...((rule.args ?? []).length === 0 ? {} : { args: rule.args! }),
    }));
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet === undefined ? {} : { defaultErrnoRet: profile.defaultErrnoRet }),
    ...(architectures === undefined ? {} : { architectures }),
    ...(profile.flags === undefined ? {} : { flags: profile.flags }),
    syscalls,
  };
}
