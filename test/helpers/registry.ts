/**
 * A real registry for tests: Debian's docker-registry (distribution 2.8) on
 * 127.0.0.1 with a free port and its own storage directory, optionally behind
 * htpasswd Basic auth, optionally over TLS with a self-signed certificate made
 * at test time. `startRegistryProxy` puts a small Node server in front of
 * it that demands Bearer tokens (with a token endpoint checking Basic
 * credentials) or corrupts one blob, for the cases a stock registry cannot show.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findCommand } from './requirements.ts';
import { runCommand } from './run-command.ts';
import { makeSelfSignedCert, type SelfSignedCert } from './tls-cert.ts';

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly storage: string;
  /** Its certificate, when started with `tls`. */
  readonly cert: SelfSignedCert | undefined;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Require these credentials (htpasswd, bcrypt). */
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  /** Serve HTTPS only, with a self-signed certificate for 127.0.0.1. */
  readonly tls?: boolean | undefined;
  /** With tls: accept only clients presenting a certificate this PEM CA file signed (http.tls.clientcas). */
  readonly clientCaFile?: string | undefined;
}

export function isRegistryAvailable(): boolean {
  return findCommand('docker-registry') !== undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntilServing(host: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
    try {
      // Plain HTTP for a TLS registry too: Go's server answers it with a 400, which is enough to know it listens.
      const response = await fetch(`http://${host}/v2/`);
      await response.body?.cancel();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`docker-registry did not answer on ${host}: ${log()}`);
}

async function htpasswdLine(username: string, password: string): Promise<string> {
  const result = await runCommand(['htpasswd', '-Bbn', username, password]);
  if (result.code !== 0) throw new Error(`htpasswd failed: ${result.stderr}`);
  return result.stdout.trim();
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-registry-'));
  const host = `127.0.0.1:${await freePort()}`;
  const auth = options.basicAuth === undefined ? '' : `auth:\n  htpasswd:\n    realm: isola-test\n    path: ${join(dir, 'htpasswd')}\n`;
  if (options.basicAuth !== undefined) {
    await writeFile(join(dir, 'htpasswd'), `${await htpasswdLine(options.basicAuth.username, options.basicAuth.password)}\n`);
  }
  const cert = options.tls === true ? await makeSelfSignedCert(join(dir, 'tls')) : undefined;
  const clientCas = options.clientCaFile === undefined ? '' : `    clientcas:\n      - ${options.clientCaFile}\n`;
  const tls = cert === undefined ? '' : `  tls:\n    certificate: ${cert.certFile}\n    key: ${cert.keyFile}\n${clientCas}`;
  await writeFile(join(dir, 'config.yml'), `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${join(dir, 'storage')}
  delete:
    enabled: true
http:
  addr: ${host}
${tls}${auth}`);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(host, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, storage: join(dir, 'storage'), cert, stop };
}

export interface ProxyOptions {
  /** Demand `Authorization: Bearer` on /v2/ requests; tokens come from /token with these Basic credentials. */
  readonly bearer?: { readonly username: string; readonly password: string } | undefined;
  /** Flip one byte of this blob's body. */
  readonly corruptBlob?: string | undefined;
  /** The first GET of this blob sends half its bytes, then drops the connection. */
  readonly cutBlobOnce?: string | undefined;
}

export interface RegistryProxy {
  readonly host: string;
  /** Requests seen, as `METHOD path` (query dropped). */
  readonly requests: string[];
  /** Range headers of the requests that had one. */
  readonly ranges: string[];
  stop(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Starts a proxy in front of `upstream` (a TestRegistry's host). */
export async function startRegistryProxy(upstream: string, options: ProxyOptions = {}): Promise<RegistryProxy> {
  const token = `token-${Math.random().toString(36).slice(2)}`;
  const requests: string[] = [];
  const ranges: string[] = [];
  let isCut = false;
  let host = '';
  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', `http://${host}`);
    requests.push(`${request.method} ${url.pathname}`);
    if (request.headers.range !== undefined) ranges.push(request.headers.range);
    if (options.bearer !== undefined && url.pathname === '/token') {
      const expected = `Basic ${Buffer.from(`${options.bearer.username}:${options.bearer.password}`).toString('base64')}`;
      if (request.headers.authorization !== expected) { response.writeHead(401).end(); return; }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, scope: url.searchParams.get('scope') }));
      return;
    }
    if (options.bearer !== undefined && request.headers.authorization !== `Bearer ${token}`) {
      response.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${host}/token",service="isola-test",scope="repository:x:pull"`,
        'content-type': 'application/json',
      }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    const body = await readBody(request);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'authorization' && name !== 'connection') headers[name] = value;
    }
    const upstreamResponse = await fetch(`http://${upstream}${url.pathname}${url.search}`, {
      method: request.method ?? 'GET', headers, body: body.byteLength > 0 ? new Uint8Array(body) : undefined, redirect: 'manual',
    });
    let payload = Buffer.from(await upstreamResponse.arrayBuffer());
    if (options.corruptBlob !== undefined && url.pathname.endsWith(`/blobs/${options.corruptBlob}`) && payload.byteLength > 0) {
      payload = Buffer.from(payload);
      payload[payload.byteLength - 1] = payload[payload.byteLength - 1]! ^ 0xff;
    }
    if (options.cutBlobOnce !== undefined && !isCut && request.method === 'GET' && url.pathname.endsWith(`/blobs/${options.cutBlobOnce}`)) {
      isCut = true;
      response.writeHead(200, { 'content-length': String(payload.byteLength), 'content-type': 'application/octet-stream' });
      response.write(payload.subarray(0, payload.byteLength >> 1), () => response.destroy());
      return;
    }
    const outHeaders: Record<string, string> = {};
    upstreamResponse.headers.forEach((value, name) => {
      if (name === 'location') outHeaders[name] = value.replace(upstream, host);
      else if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection' && name !== 'content-encoding') outHeaders[name] = value;
    });
    response.writeHead(upstreamResponse.status, outHeaders).end(request.method === 'HEAD' ? undefined : payload);
  };
  const server: Server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => response.writeHead(502).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host, requests, ranges,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
