/**
 * Runs unpackLayer once and prints the result (or the error's code) as JSON,
 * so a test can run it as another user or inside a user namespace.
 *   node unpack-child.ts BLOB TARGET overlay|overlay-userxattr
 */
import { unpackLayer } from '../../../src/image/index.ts';

const [blob, target, whiteouts] = process.argv.slice(2);
try {
  const result = await unpackLayer({ blob: blob!, target: target!, whiteouts: whiteouts as 'overlay' });
  console.log(JSON.stringify({ ok: result }));
} catch (err) {
  const e = err as { code?: string; message?: string };
  console.log(JSON.stringify({ error: { code: e.code, message: e.message } }));
}
