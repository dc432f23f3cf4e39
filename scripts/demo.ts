/**
 * `npm run demo`: runs one container on a rootfs built from the host's own
 * binaries (no image download), in its own user namespace. As root it gets a
 * fresh range of 65536 host ids (the default, --userns=auto); as an ordinary
 * user it keeps the caller's uid inside (`--userns=keep-id`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHostRootfs } from '../test/fixtures/host-rootfs.ts';

const isola = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'isola');
if (!existsSync(isola)) {
  console.error(`demo: ${isola} is missing: this checkout has no CLI yet`);
  process.exit(1);
}

const rootfs = await ensureHostRootfs();
// Root gets the default: a fresh range of its own (--userns=auto). An
// ordinary user may have no subordinate ids, so it keeps its own uid.
const userns = process.getuid?.() === 0 ? [] : ['--userns=keep-id'];
const argv = ['run', '--rm', '--rootfs', rootfs, ...userns, '--hostname', 'demo',
  '--', 'sh', '-c', 'id; hostname; echo pid $$; cat /proc/self/uid_map'];

const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);
console.log(`$ ${['bin/isola', ...argv].map(quote).join(' ')}`);
const result = spawnSync(isola, argv, { stdio: 'inherit' });
if (result.error !== undefined) {
  console.error(`demo: cannot run ${isola}: ${result.error.message}`);
  process.exit(126);
}
process.exit(result.status ?? 128 + (result.signal === null ? 0 : constants.signals[result.signal]));
