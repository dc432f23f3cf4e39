/**
 * Preconditions for tests that need root or a host command. Outside CI an
 * unmet one skips the test with the reason; in CI (process.env.CI set), which
 * runs as root on a full kernel, it fails the test: CI must never skip silently.
 *
 * node:test's t.skip() only marks the test, it does not stop it, so callers write
 * `if (!requireRoot(t, 'mounts an overlay')) return;`.
 */
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The part of node:test's TestContext these helpers use (a fake works in their own tests). */
export interface SkippableContext {
  skip(message?: string): void;
}

/** True when running under CI, where an unmet requirement is a failure. */
export function isCI(): boolean {
  const value = process.env['CI'];
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** Skips (or, in CI, fails) with `reason` unless `isMet`; returns `isMet`. */
export function requireThat(t: SkippableContext, isMet: boolean, reason: string): boolean {
  if (isMet) return true;
  if (isCI()) assert.fail(`${reason} (CI is set, so this fails instead of skipping)`);
  t.skip(reason);
  return false;
}

/** The test needs uid 0; `why` names what it does as root. */
export function requireRoot(t: SkippableContext, why = 'runs real containers as root'): boolean {
  return requireThat(t, process.getuid?.() === 0, `needs root: ${why}`);
}

/** The full path of `name` on PATH or in the sbin directories, or undefined. */
export function findCommand(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs.filter((d) => d !== '')) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not in this directory; try the next.
    }
  }
  return undefined;
}

/** The test needs `name` (e.g. 'newuidmap') installed. */
export function requireCommand(t: SkippableContext, name: string): boolean {
  return requireThat(t, findCommand(name) !== undefined, `needs the ${name} command (not found on PATH)`);
}
