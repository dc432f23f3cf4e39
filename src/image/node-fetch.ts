/**
 * The part of fetch the registry client uses, over node:http and node:https,
 * for TLS settings the global fetch cannot take (see registry-tls.ts): an
 * unverified certificate, or extra CAs. Requests carry a Uint8Array body or
 * none; redirects are followed as fetch does (303, and 301/302 after a POST,
 * become a GET; Authorization is dropped when the origin changes); failures
 * are `TypeError('fetch failed')` with the socket's error as `cause`, so
 * callers treat both fetches alike. Loaded only in those modes.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import * as tls from 'node:tls';
import type { ClientCertificate, RegistryFetch } from './registry-tls.ts';

export interface NodeFetchOptions {
  /** false: the server's certificate is not checked. */
  readonly isVerified: boolean;
  /** PEM CAs trusted besides Node's default list (when verified). */
  readonly extraCas?: readonly string[] | undefined;
  /** Presented when the server asks for a client certificate. */
  readonly clientCertificate?: ClientCertificate | undefined;
}

const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

interface Agents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/** Node's default CA list; an Agent's `ca` replaces it, so extra CAs are appended to it. */
function defaultCas(): readonly string[] {
  // getCACertificates (Node 22.15+) includes NODE_EXTRA_CA_CERTS; rootCertificates is the bundled list.
  return typeof tls.getCACertificates === 'function' ? tls.getCACertificates('default') : tls.rootCertificates;
}

export function createNodeFetch(options: NodeFetchOptions): RegistryFetch {
  const extraCas = options.extraCas ?? [];
  // Keep-alive: a pull makes many requests to one registry. Idle sockets are unref'd, so they hold no process open.
  const agents: Agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({
      keepAlive: true, rejectUnauthorized: options.isVerified,
      ca: options.isVerified && extraCas.length > 0 ? [...defaultCas(), ...extraCas] : undefined,
      cert: options.clientCertificate?.cert, key: options.clientCertificate?.key,
    }),
  };
  return async (input, init = {}) => {
    if (init.body !== undefined && init.body !== null && !(init.body instanceof Uint8Array)) throw new TypeError('node-fetch sends Uint8Array bodies only');
    let url = new URL(String(input));
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body ?? undefined;
    const headers = new Headers(init.headers);
    for (let redirects = 0; ; redirects++) {
      const message = await send(url, method, headers, body, agents, init.signal ?? undefined);
      const location = message.headers.location;
      const status = message.statusCode ?? 0;
      if (!REDIRECT_STATUSES.has(status) || location === undefined || init.redirect === 'manual') return toResponse(message, method);
      message.resume();
      if (init.redirect === 'error' || redirects === MAX_REDIRECTS) throw new TypeError('fetch failed', { cause: new Error(`redirect refused or too many redirects at ${url}`) });
      if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
        method = 'GET';
        body = undefined;
        headers.delete('content-type');
      }
      const next = new URL(location, url);
      if (next.origin !== url.origin) headers.delete('authorization');
      url = next;
    }
  };
}

function send(url: URL, method: string, headers: Headers, body: Uint8Array | undefined, agents: Agents,
  signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) }));
      return;
    }
    const outgoing: Record<string, string> = Object.fromEntries(headers);
    // As fetch: a length always, so no chunked uploads (some registries refuse them).
    if (body !== undefined) outgoing['content-length'] = String(body.byteLength);
    else if (method === 'POST' || method === 'PUT' || method === 'PATCH') outgoing['content-length'] = '0';
    const isHttps = url.protocol === 'https:';
    const request = (isHttps ? https.request : http.request)(url, { method, headers: outgoing, agent: isHttps ? agents.https : agents.http, signal });
    request.once('response', resolve);
    request.once('error', (error) => reject(signal?.aborted === true ? signal.reason : new TypeError('fetch failed', { cause: error })));
    request.end(body);
  });
}

function toResponse(message: http.IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < message.rawHeaders.length; i += 2) headers.append(message.rawHeaders[i]!, message.rawHeaders[i + 1]!);
  const status = message.statusCode ?? 0;
  const hasBody = method !== 'HEAD' && !NULL_BODY_STATUSES.has(status);
  if (!hasBody) message.resume();
  // Readable.toWeb's stream type is node:stream/web's, the same class as the global ReadableStream.
  const body = hasBody ? Readable.toWeb(message) as unknown as ReadableStream<Uint8Array> : null;
  return new Response(body, { status, statusText: message.statusMessage ?? '', headers });
}
