/**
 * Whether a recorded process (a monitor, a creator) still runs. A zombie
 * counts as gone: its work is over, only its parent has not reaped it yet.
 */
import { readFile } from 'node:fs/promises';
import { isProcessGone, type ProcessIdentity } from '../state/index.ts';

export async function isGone(identity: ProcessIdentity | undefined): Promise<boolean> {
  if (identity === undefined || await isProcessGone(identity)) return true;
  const stat = await readFile(`/proc/${identity.pid}/stat`, 'latin1').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X' || state === '';
}
