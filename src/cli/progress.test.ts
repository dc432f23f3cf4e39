import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, ProgressDisplay } from './progress.ts';

const A = `sha256:${'a'.repeat(64)}` as const;
const B = `sha256:${'b'.repeat(64)}` as const;

function fakeTerminal(): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  return { stream: { write: (text: string) => { written.push(text); return true; } } as unknown as NodeJS.WriteStream, written };
}

test('sizes print in decimal units as podman does', () => {
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1500), '1.5 kB');
  assert.equal(formatBytes(37_500_000), '38 MB');
});

test('a pull shows one line per layer and redraws them in place', () => {
  const { stream, written } = fakeTerminal();
  const display = new ProgressDisplay(stream);
  display.onPull({ kind: 'resolved', reference: 'r', manifestDigest: A, layers: [{ digest: A, size: 2000 }, { digest: B, size: 3000 }] });
  display.onPull({ kind: 'layer-exists', digest: B, size: 3000 });
  display.onPull({ kind: 'layer-downloaded', digest: A, size: 2000 });
  const last = written.at(-1) ?? '';
  assert.ok(last.startsWith('\x1b[2A\r'), 'moves up over the two lines it drew');
  assert.match(last, /aaaaaaaaaaaa {2}downloaded +2\.0 kB \/ 2\.0 kB/);
  assert.match(last, /bbbbbbbbbbbb {2}already stored +3\.0 kB \/ 3\.0 kB/);
});

test('a display whose stream is decided at the first event draws nothing without one', () => {
  let asked = 0;
  const display = new ProgressDisplay(() => { asked++; return undefined; });
  assert.equal(asked, 0, 'nothing is asked before an event');
  display.onPull({ kind: 'resolved', reference: 'r', manifestDigest: A, layers: [{ digest: A, size: 2000 }] });
  display.onPull({ kind: 'layer-downloaded', digest: A, size: 2000 });
  assert.equal(asked, 1, 'asked once');
});

test('a display whose stream is decided at the first event draws on the stream it gets', () => {
  const { stream, written } = fakeTerminal();
  const display = new ProgressDisplay(() => stream);
  display.onPull({ kind: 'resolved', reference: 'r', manifestDigest: A, layers: [{ digest: A, size: 2000 }] });
  assert.match(written.at(-1) ?? '', /aaaaaaaaaaaa {2}waiting/);
});
