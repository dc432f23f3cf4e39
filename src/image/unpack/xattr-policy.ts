/**
 * Which of a layer's xattrs are written, and whether a refusal fails the
 * unpack. A layer must never forge overlayfs metadata (trusted.overlay.* or
 * user.overlay.*: redirect, metacopy and opaque could expose or hide other
 * layers' files), and LSM labels from the build host mean nothing here.
 */
export type XattrDecision = 'required' | 'optional' | 'drop';

export interface XattrContext {
  /** Root of the initial user namespace (trusted.* and v2 capabilities as given). */
  readonly isRealRoot: boolean;
}

export function decideXattr(name: string, context: XattrContext): XattrDecision {
  if (name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.')) return 'drop';
  // In a user namespace the kernel turns a v2 capability into v3 for the
  // namespace's root, or refuses it: then the file keeps no capability.
  if (name === 'security.capability') return context.isRealRoot ? 'required' : 'optional';
  // user.* is refused on symlinks and some filesystems: best effort.
  if (name.startsWith('user.') || name.startsWith('system.posix_acl_')) return 'optional';
  if (name.startsWith('trusted.')) return context.isRealRoot ? 'optional' : 'drop';
  return 'drop';
}
