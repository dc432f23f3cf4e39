/**
 * Work the rootless fallback does inside a user namespace holding the
 * caller's subordinate ids: only there may an ordinary user chown to them.
 * A job is JSON, run by userns-worker.ts.
 */
import type { IdShift } from './id-shift.ts';

export type UsernsJob =
  | { readonly kind: 'copy'; readonly source: string; readonly target: string; readonly shift: IdShift }
  | { readonly kind: 'mkdir'; readonly dirs: readonly { readonly path: string; readonly uid: number; readonly gid: number; readonly mode: number }[] }
  | { readonly kind: 'chown-tree'; readonly path: string; readonly uid: number; readonly gid: number }
  | { readonly kind: 'remove'; readonly paths: readonly string[] };
