/**
 * A client for one registry, per the OCI distribution spec, on the global fetch
 * (or, for unverified TLS or extra CAs, the node:https one of registry-tls.ts):
 * manifests by tag or digest (verified), blobs with Range for resume, blob
 * existence checks, monolithic and chunked uploads, manifest PUT. Bearer tokens
 * are fetched on a 401 challenge and kept per scope; Basic credentials are sent
 * when the registry asks for them.
 */
import { ImageError, RegistryError } from './errors.ts';
import { digestOf, type Digest } from './digest.ts';
import { MANIFEST_ACCEPT } from './manifest.ts';
import { basicAuthorization, parseAuthChallenge } from './registry-auth.ts';
import type { Credentials } from './credentials.ts';
import { isCertificateErrorCode, isClientCertificateRefusal, registryFetch, type ClientCertificate, type RegistryFetch } from './registry-tls.ts';

export interface RegistryClientOptions {
  /** `host[:port]` */
  readonly registry: string;
  readonly credentials?: Credentials | undefined;
  /**
   * As podman's `--tls-verify=false` (or registries.toml `insecure`): TLS
   * certificates are not verified, and plain HTTP is used when HTTPS cannot connect.
   * @default false
   */
  readonly isInsecure?: boolean | undefined;
  /** PEM CA certificates trusted for this registry besides the default ones (`--cert-dir`). */
  readonly caCertificates?: readonly string[] | undefined;
  /** Presented to a registry that asks for a client certificate (`--cert-dir` NAME.cert + NAME.key). */
  readonly clientCertificate?: ClientCertificate | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Blobs larger than this are uploaded in PATCH chunks of this size. @default UPLOAD_CHUNK_BYTES */
  readonly uploadChunkBytes?: number | undefined;
}

export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly digest: Digest;
  readonly mediaType: string | undefined;
}

type Access = 'pull' | 'pull,push';

interface RegistryRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | undefined;
  readonly repository: string;
  readonly access: Access;
  /** Statuses that are answers, not errors (404 for an existence check). */
  readonly accept?: readonly number[];
}

/** Chunked uploads send this much per PATCH. */
export const UPLOAD_CHUNK_BYTES = 16 * 1024 * 1024;

export class RegistryClient {
  readonly registry: string;
  readonly #options: RegistryClientOptions;
  #base: Promise<string> | undefined;
  readonly #tokens = new Map<string, string>();
  #isBasic = false;
  readonly #fetch: RegistryFetch;

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.#options = options;
    this.#fetch = registryFetch({
      isVerified: options.isInsecure !== true, caCertificates: options.caCertificates, clientCertificate: options.clientCertificate,
    });
  }

  /** The manifest (or index) named by a tag or digest; a digest is checked against the bytes. */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const response = await this.#request(`/v2/${repository}/manifests/${reference}`, { repository, access: 'pull', headers: { accept: MANIFEST_ACCEPT } });
    const bytes = Buffer.from(await response.arrayBuffer());
    const digest = digestOf(bytes);
    const subject = `${this.registry}/${repository}:${reference}`;
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new ImageError('ISOLA_IMAGE_DIGEST_MISMATCH', `the manifest ${subject} does not match its digest (got ${digest}); nothing was stored`, subject,
        { hint: 'the registry served corrupted data: retry, and report it to the registry owner if it persists' });
    }
    return { bytes, digest, mediaType: response.headers.get('content-type') ?? undefined };
  }

  /** A blob's bytes from `offset`; `offset` in the result is where the body really starts (0 when Range was ignored). */
  async getBlob(repository: string, digest: Digest, offset = 0): Promise<{ offset: number; body: AsyncIterable<Uint8Array> }> {
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const response = await this.#request(`/v2/${repository}/blobs/${digest}`, { repository, access: 'pull', headers });
    if (response.body === null) throw this.#error(response, `${repository}@${digest}`, 'sent no body');
    const start = response.status === 206 ? Number(/^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1] ?? 0) : 0;
    return { offset: start, body: response.body };
  }

  async hasBlob(repository: string, digest: Digest): Promise<boolean> {
    const response = await this.#request(`/v2/${repository}/blobs/${digest}`, { repository, access: 'pull,push', method: 'HEAD', accept: [404] });
    return response.ok;
  }

  /**
   * Uploads a blob: in one PUT when it fits in a chunk, else PATCH by chunk
   * then PUT with the digest. `read(offset, length)` supplies the bytes.
   */
  async putBlob(repository: string, digest: Digest, size: number, read: (offset: number, length: number) => Promise<Uint8Array>,
    onBytes?: (bytes: number) => void): Promise<void> {
    await this.#upload(repository, digest, size, read, onBytes, await this.#startUpload(repository, `/v2/${repository}/blobs/uploads/`));
  }

  /**
   * Cross-repository mount: asks the registry to link a blob it already holds
   * in `fromRepository`; when it will not (201 is yes), uploads it instead.
   * @returns true when mounted, nothing uploaded
   */
  async mountOrPutBlob(repository: string, fromRepository: string, digest: Digest, size: number,
    read: (offset: number, length: number) => Promise<Uint8Array>, onBytes?: (bytes: number) => void): Promise<boolean> {
    const query = new URLSearchParams({ mount: digest, from: fromRepository });
    const response = await this.#request(`/v2/${repository}/blobs/uploads/?${query}`, { repository, access: 'pull,push', method: 'POST', accept: [201, 202] });
    if (response.status === 201) {
      await response.body?.cancel();
      return true;
    }
    await this.#upload(repository, digest, size, read, onBytes, await this.#location(response, repository));
    return false;
  }

  async #startUpload(repository: string, path: string): Promise<string> {
    const started = await this.#request(path, { repository, access: 'pull,push', method: 'POST', accept: [202] });
    return this.#location(started, repository);
  }

  async #upload(repository: string, digest: Digest, size: number, read: (offset: number, length: number) => Promise<Uint8Array>,
    onBytes: ((bytes: number) => void) | undefined, started: string): Promise<void> {
    let location = started;
    const chunkBytes = this.#options.uploadChunkBytes ?? UPLOAD_CHUNK_BYTES;
    if (size <= chunkBytes) {
      const body = await read(0, size);
      await this.#request(withDigest(location, digest), { repository, access: 'pull,push', method: 'PUT', body,
        headers: { 'content-type': 'application/octet-stream' }, accept: [201] });
      onBytes?.(size);
      return;
    }
    for (let offset = 0; offset < size; offset += chunkBytes) {
      const body = await read(offset, Math.min(chunkBytes, size - offset));
      const response = await this.#request(location, { repository, access: 'pull,push', method: 'PATCH', body, accept: [202],
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + body.byteLength - 1}` } });
      location = await this.#location(response, repository);
      onBytes?.(offset + body.byteLength);
    }
    await this.#request(withDigest(location, digest), { repository, access: 'pull,push', method: 'PUT', accept: [201] });
  }

  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<void> {
    await this.#request(`/v2/${repository}/manifests/${reference}`, { repository, access: 'pull,push', method: 'PUT', body: bytes,
      headers: { 'content-type': mediaType }, accept: [201] });
  }

  /** Checks that the registry answers and accepts the credentials (`isola login`). */
  async checkLogin(): Promise<void> {
    const response = await this.#request('/v2/', { repository: '', access: 'pull' });
    await response.body?.cancel();
  }

  async #location(response: Response, repository: string): Promise<string> {
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (location === null) throw this.#error(response, repository, 'gave no upload location');
    return new URL(location, await this.#baseUrl()).toString();
  }

  #baseUrl(): Promise<string> {
    this.#base ??= this.#findBase();
    return this.#base;
  }

  /** HTTPS, or for an insecure registry HTTP when HTTPS cannot connect. */
  async #findBase(): Promise<string> {
    const https = `https://${this.registry}`;
    if (this.#options.isInsecure !== true) return https;
    try {
      const response = await this.#fetch(`${https}/v2/`, { signal: this.#options.signal });
      await response.body?.cancel();
      return https;
    } catch (error) {
      this.#options.signal?.throwIfAborted();
      void error;
      return `http://${this.registry}`;
    }
  }

  async #request(path: string, init: RegistryRequest): Promise<Response> {
    const url = path.startsWith('http') ? path : `${await this.#baseUrl()}${path}`;
    const scope = init.repository === '' ? '' : `repository:${init.repository}:${init.access}`;
    // Whether this request carried Basic credentials: a concurrent one may
    // have switched them on while this one was refused without them.
    const hadBasic = this.#isBasic;
    let response = await this.#send(url, init, scope);
    if (response.status === 401) {
      const challenge = parseAuthChallenge(response.headers.get('www-authenticate'));
      await response.body?.cancel();
      if (challenge?.scheme === 'bearer') {
        this.#tokens.set(scope, await this.#fetchToken(challenge.params, scope));
        response = await this.#send(url, init, scope);
      } else if (challenge?.scheme === 'basic' && this.#options.credentials !== undefined && !hadBasic) {
        this.#isBasic = true;
        response = await this.#send(url, init, scope);
      }
    }
    if (response.ok || init.accept?.includes(response.status) === true) return response;
    throw await this.#statusError(response, init.repository === '' ? this.registry : `${this.registry}/${init.repository}`);
  }

  async #send(url: string, init: RegistryRequest, scope: string): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    // A Buffer is a Uint8Array over an ArrayBufferLike; fetch only sends its bytes.
    const token = this.#tokens.get(scope);
    const credentials = this.#options.credentials;
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    else if (this.#isBasic && credentials !== undefined) headers['authorization'] = basicAuthorization(credentials.username, credentials.password);
    try {
      return await this.#fetch(url, { method: init.method ?? 'GET', headers, body: init.body as Uint8Array<ArrayBuffer> | undefined, signal: this.#options.signal, redirect: 'follow' });
    } catch (error) {
      this.#options.signal?.throwIfAborted();
      throw this.#unreachable(url, error);
    }
  }

  async #fetchToken(params: Readonly<Record<string, string>>, scope: string): Promise<string> {
    const realm = params['realm'];
    if (realm === undefined) throw new RegistryError('ISOLA_REGISTRY_ERROR', `${this.registry} asked for a token without saying where to get it`, this.registry);
    const url = new URL(realm);
    if (params['service'] !== undefined) url.searchParams.set('service', params['service']);
    if (scope !== '') url.searchParams.set('scope', scope);
    const credentials = this.#options.credentials;
    const headers: Record<string, string> = credentials === undefined ? {} : { authorization: basicAuthorization(credentials.username, credentials.password) };
    let response: Response;
    try {
      response = await this.#fetch(url, { headers, signal: this.#options.signal });
    } catch (error) {
      this.#options.signal?.throwIfAborted();
      throw this.#unreachable(url.toString(), error);
    }
    if (!response.ok) throw await this.#statusError(response, this.registry);
    const body = await response.json().catch(() => ({})) as { token?: unknown; access_token?: unknown };
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string') throw new RegistryError('ISOLA_REGISTRY_ERROR', `the token server ${url.origin} sent no token`, this.registry);
    return token;
  }

  #unreachable(url: string, error: unknown): RegistryError {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (isCertificateErrorCode(cause?.code)) {
      const host = new URL(url).host;
      // Node appends advice about --use-system-ca after a ';': the hint says what isola users can do instead.
      const why = cause?.message?.split(';')[0] ?? '';
      return new RegistryError('ISOLA_REGISTRY_CERT_UNVERIFIED', `cannot verify the TLS certificate of ${host}: ${why} (${cause?.code})`,
        this.registry, { cause: error, hint: `if you trust ${host}, pass --tls-verify=false, or --cert-dir DIR with its CA certificate in DIR/*.crt` });
    }
    if (isClientCertificateRefusal(cause?.code)) {
      const host = new URL(url).host;
      const sent = this.#options.clientCertificate === undefined ? 'none was given' : 'the one given was refused';
      return new RegistryError('ISOLA_REGISTRY_CLIENT_CERT_REFUSED', `${host} refused the TLS connection: it requires a client certificate and ${sent} (${cause?.code})`,
        this.registry, { cause: error, hint: `pass --cert-dir DIR with the client certificate ${host} trusts as DIR/NAME.cert and its key as DIR/NAME.key` });
    }
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    const isTls = /CERT|SSL|TLS|EPROTO/i.test(why);
    return new RegistryError('ISOLA_REGISTRY_UNREACHABLE', `cannot reach ${url}: ${why}`, this.registry, {
      cause: error,
      hint: isTls ? `for a registry without valid TLS, pass --tls-verify=false or mark ${this.registry} insecure in registries.toml`
        : `check that ${this.registry} is up and reachable`,
    });
  }

  #error(response: Response, subject: string, why: string): RegistryError {
    return new RegistryError('ISOLA_REGISTRY_ERROR', `${subject}: the registry ${why} (HTTP ${response.status})`, subject, { status: response.status });
  }

  async #statusError(response: Response, subject: string): Promise<RegistryError> {
    const text = await response.text().catch(() => '');
    let registryCode: string | undefined;
    let detail = '';
    try {
      const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
      registryCode = first?.code;
      detail = first?.message === undefined ? '' : `: ${first.message}`;
    } catch {
      // Not the spec's JSON error body: the status says enough.
    }
    const status = response.status;
    const base = { status, registryCode };
    if (status === 401) {
      return new RegistryError('ISOLA_REGISTRY_UNAUTHORIZED', `${subject}: authentication required (HTTP 401${detail})`, subject,
        {
          ...base,
          hint: this.#options.credentials === undefined ? `log in with isola login ${this.registry}`
            : `the registry refused the username and password given: check them (isola login ${this.registry} again, or --creds)`,
        });
    }
    if (status === 403) return new RegistryError('ISOLA_REGISTRY_DENIED', `${subject}: access denied (HTTP 403${detail})`, subject, { ...base, hint: 'check the name and that your account may use it' });
    if (status === 404) return new RegistryError('ISOLA_REGISTRY_NOT_FOUND', `${subject}: not found (HTTP 404${detail})`, subject, { ...base, hint: 'check the image name and tag' });
    return new RegistryError('ISOLA_REGISTRY_ERROR', `${subject}: the registry answered HTTP ${status}${detail}`, subject, base);
  }
}

function withDigest(location: string, digest: Digest): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.toString();
}
