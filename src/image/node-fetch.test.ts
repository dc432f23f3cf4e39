import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createNodeFetch } from './node-fetch.ts';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly authorization: string | undefined;
  readonly contentLength: string | undefined;
}

/** Runs fn with a local server answering through `answer`, and the requests it saw. */
async function withServer(answer: (request: IncomingMessage, response: ServerResponse, origin: string) => void,
  fn: (origin: string, seen: Seen[]) => Promise<void>): Promise<void> {
  const seen: Seen[] = [];
  let origin = '';
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', path: request.url ?? '', body: Buffer.concat(chunks).toString(),
        authorization: request.headers.authorization, contentLength: request.headers['content-length'] });
      answer(request, response, origin);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await fn(origin, seen);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const nodeFetch = createNodeFetch({ isVerified: true });

test('a response carries the status, every header value and the body', async () => {
  await withServer((_request, response) => {
    response.setHeader('x-many', ['a', 'b']);
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
  }, async (origin) => {
    const response = await nodeFetch(`${origin}/v2/x/manifests/1`);
    assert.equal(response.status, 404);
    assert.equal(response.ok, false);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(response.headers.get('x-many'), 'a, b');
    assert.deepEqual(await response.json(), { errors: [] });
  });
});

test('a body is sent with its length, and an empty POST says length 0', async () => {
  await withServer((_request, response) => response.writeHead(201).end(), async (origin, seen) => {
    await nodeFetch(`${origin}/put`, { method: 'PUT', body: new Uint8Array([104, 105]) });
    await nodeFetch(`${origin}/post`, { method: 'POST' });
    assert.deepEqual(seen.map((s) => [s.method, s.body, s.contentLength]), [['PUT', 'hi', '2'], ['POST', '', '0']]);
  });
});

test('HEAD and 204 answers have no body', async () => {
  await withServer((request, response) => response.writeHead(request.method === 'HEAD' ? 200 : 204, { 'content-length': '5' }).end(), async (origin) => {
    assert.equal((await nodeFetch(`${origin}/blob`, { method: 'HEAD' })).body, null);
    assert.equal((await nodeFetch(`${origin}/blob`, { method: 'DELETE' })).body, null);
  });
});

test('a 307 redirect repeats the method and body, a 303 becomes a GET without body', async () => {
  await withServer((request, response) => {
    if (request.url === '/307') response.writeHead(307, { location: '/final' }).end();
    else if (request.url === '/303') response.writeHead(303, { location: '/final' }).end();
    else response.end('done');
  }, async (origin, seen) => {
    assert.equal(await (await nodeFetch(`${origin}/307`, { method: 'PUT', body: new Uint8Array([1, 2, 3]) })).text(), 'done');
    assert.equal(await (await nodeFetch(`${origin}/303`, { method: 'PUT', body: new Uint8Array([1, 2, 3]) })).text(), 'done');
    assert.deepEqual(seen.map((s) => [s.method, s.path, s.body.length]),
      [['PUT', '/307', 3], ['PUT', '/final', 3], ['PUT', '/303', 3], ['GET', '/final', 0]]);
  });
});

test('credentials are not sent on to another origin after a redirect', async () => {
  await withServer((_request, response) => response.end('blob'), async (storage, storageSeen) => {
    await withServer((_request, response) => response.writeHead(302, { location: `${storage}/blob` }).end(), async (registry, registrySeen) => {
      const response = await nodeFetch(`${registry}/v2/x/blobs/sha256:1`, { headers: { authorization: 'Bearer t' } });
      assert.equal(await response.text(), 'blob');
      assert.equal(registrySeen[0]?.authorization, 'Bearer t');
      assert.equal(storageSeen[0]?.authorization, undefined);
    });
  });
});

test('a refused connection fails as fetch does: TypeError with the socket error as cause', async () => {
  let port = 0;
  await withServer(() => {}, async (origin) => { port = Number(new URL(origin).port); });
  await assert.rejects(nodeFetch(`http://127.0.0.1:${port}/v2/`), (error: unknown) => {
    assert.ok(error instanceof TypeError);
    assert.equal((error as { cause?: { code?: string } }).cause?.code, 'ECONNREFUSED');
    return true;
  });
});

test('an aborted request rejects with the signal\'s reason', async () => {
  const controller = new AbortController();
  // The server never answers; the caller gives up once the request has arrived.
  await withServer(() => controller.abort(new Error('stopped')), async (origin) => {
    await assert.rejects(nodeFetch(`${origin}/slow`, { signal: controller.signal }), { message: 'stopped' });
  });
});
