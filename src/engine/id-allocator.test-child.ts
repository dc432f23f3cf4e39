/**
 * A separate isola process for id-allocator.test.ts: prints `ready`, waits for a line
 * on stdin (so that all children start allocating together), allocates one block as
 * root with the subid files given, prints it as JSON, and holds it until stdin closes.
 *   node id-allocator.test-child.ts ROOT SUBUID SUBGID
 */
import { once } from 'node:events';
import { IdAllocator } from './id-allocator.ts';

const [root = '', uidFile = '', gidFile = ''] = process.argv.slice(2);
const allocator = new IdAllocator({
  root, subidFiles: { uidFile, gidFile },
  host: { isPrivileged: true, userName: 'root', subuids: [], subgids: [] },
});
process.stdout.write('ready\n');
await once(process.stdin, 'data');
try {
  const allocation = await allocator.allocate();
  process.stdout.write(`${JSON.stringify(allocation.block)}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: (error as { code?: string }).code ?? String(error) })}\n`);
}
process.stdin.resume();
process.stdin.on('end', () => { void allocator.close(); });
