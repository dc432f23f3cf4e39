/**
 * Entry point of the rootless unpack helper (rootless-unpack.ts): unpacks one
 * layer inside the caller's user namespace, where it is root over the
 * caller's subordinate ids and so can give files their owners, and writes the
 * result (or the error's code and text) as JSON to the file in argv[5].
 *   node unpack-worker.ts BLOB TARGET WHITEOUTS RESULT_FILE
 */
import { writeFileSync } from 'node:fs';
import { unpackLayer } from '../image/index.ts';

const [blob, target, whiteouts, resultFile] = process.argv.slice(2);
try {
  const result = await unpackLayer({ blob: blob ?? '', target: target ?? '', whiteouts: whiteouts === 'overlay' ? 'overlay' : 'overlay-userxattr' });
  writeFileSync(resultFile ?? '/dev/null', JSON.stringify({ ok: result }));
} catch (error) {
  const { code, message, hint } = error as { code?: string; message?: string; hint?: string };
  writeFileSync(resultFile ?? '/dev/null', JSON.stringify({ error: { code, message, hint } }));
  process.exitCode = 1;
}
