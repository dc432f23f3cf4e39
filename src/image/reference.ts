/**
 * Image references as docker and podman read them (distribution/reference's
 * grammar): `busybox` is docker.io/library/busybox:latest, a first component with
 * a dot, a colon or `localhost` is a registry, and a tag or digest may follow.
 * Short names (no registry) are kept as such so the caller can try its search
 * registries in order, podman's unqualified-search-registries.
 */
import { ImageError } from './errors.ts';
import { parseDigest, type Digest } from './digest.ts';

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';

export interface ImageReference {
  /** Host and optional port: `docker.io`, `localhost:5000`. */
  readonly registry: string;
  /** Path inside the registry: `library/busybox`. */
  readonly repository: string;
  /** Undefined only when the reference names a digest alone. */
  readonly tag: string | undefined;
  readonly digest: Digest | undefined;
}

export interface ParsedReference {
  /** Qualified with docker.io when the text named no registry. */
  readonly reference: ImageReference;
  /** True when the text named no registry (a short name): search registries apply. */
  readonly isShortName: boolean;
  /** The path as written, before docker.io's `library/` was added. */
  readonly path: string;
}

const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME_LENGTH = 255;

function invalid(text: string, why: string): ImageError {
  return new ImageError('ISOLA_IMAGE_REFERENCE_INVALID', `invalid image reference ${JSON.stringify(text)}: ${why}`, text,
    { hint: 'write [REGISTRY/]NAME[:TAG][@sha256:DIGEST] with a lowercase name, e.g. docker.io/library/busybox:1.36' });
}

/** docker's rule: the first component is a registry when it has a dot, a port, is localhost, or has uppercase. */
function isRegistryComponent(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component !== component.toLowerCase();
}

/** `library/busybox` on docker.io for a one-component path, the path itself elsewhere. */
export function repositoryFor(registry: string, path: string): string {
  return registry === DEFAULT_REGISTRY && !path.includes('/') ? `library/${path}` : path;
}

/** @throws ImageError ISOLA_IMAGE_REFERENCE_INVALID */
export function parseReference(text: string): ParsedReference {
  if (text === '') throw invalid(text, 'it is empty');
  const at = text.indexOf('@');
  const digest = at === -1 ? undefined : parseDigest(text.slice(at + 1), `the digest of ${text}`);
  const nameAndTag = at === -1 ? text : text.slice(0, at);
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) throw invalid(text, `tag ${JSON.stringify(tag)} is not valid`);
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isShortName = slash === -1 || !isRegistryComponent(first);
  let registry = isShortName ? DEFAULT_REGISTRY : first;
  const path = isShortName ? name : name.slice(slash + 1);
  if (!isShortName && !DOMAIN.test(registry)) throw invalid(text, `registry ${JSON.stringify(registry)} is not a host name`);
  if (registry === 'index.docker.io') registry = DEFAULT_REGISTRY;
  if (path === '' || !path.split('/').every((c) => PATH_COMPONENT.test(c))) {
    throw invalid(text, `repository ${JSON.stringify(path)} must be lowercase letters, digits and separators (. _ __ -)`);
  }
  const repository = repositoryFor(registry, path);
  if (`${registry}/${repository}`.length > MAX_NAME_LENGTH) throw invalid(text, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  return {
    reference: { registry, repository, tag: tag ?? (digest === undefined ? DEFAULT_TAG : undefined), digest },
    isShortName,
    path,
  };
}

/** The same reference on another registry (for search registries). */
export function withRegistry(parsed: ParsedReference, registry: string): ImageReference {
  return { ...parsed.reference, registry, repository: repositoryFor(registry, parsed.path) };
}

/** `registry/repository` */
export function formatName(reference: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `${reference.registry}/${reference.repository}`;
}

/** The full form: `docker.io/library/busybox:latest`, `localhost:5000/x@sha256:...`. */
export function formatReference(reference: ImageReference): string {
  const tag = reference.tag === undefined ? '' : `:${reference.tag}`;
  const digest = reference.digest === undefined ? '' : `@${reference.digest}`;
  return `${formatName(reference)}${tag}${digest}`;
}

/** What the registry's manifest endpoint takes: the digest when there is one, else the tag. */
export function manifestReference(reference: ImageReference): string {
  return reference.digest ?? reference.tag ?? DEFAULT_TAG;
}
