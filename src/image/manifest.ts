/**
 * Image manifests, indexes and configs in both dialects a registry may serve:
 * OCI (application/vnd.oci.*) and docker v2 schema 2 (application/vnd.docker.*).
 * Parsing checks the fields isola relies on and nothing else; an index picks
 * one manifest by platform.
 */
import { ImageError } from './errors.ts';
import { isDigest, type Digest } from './digest.ts';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** What isola asks a registry for, best first. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest].join(', ');

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly platform?: Platform | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}

export interface ImageManifest {
  readonly kind: 'manifest';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface ImageIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

/** The parts of an image config isola uses; the rest is kept in the stored blob. */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly created?: string;
  readonly config?: {
    readonly User?: string;
    readonly Env?: readonly string[];
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly WorkingDir?: string;
    readonly Labels?: Readonly<Record<string, string>> | null;
    readonly ExposedPorts?: Readonly<Record<string, object>> | null;
    readonly StopSignal?: string;
    /** Paths that get a volume of their own (keys; the values are empty objects). */
    readonly Volumes?: Readonly<Record<string, object>> | null;
  };
  readonly rootfs: { readonly type: string; readonly diff_ids: readonly Digest[] };
  readonly history?: readonly object[];
}

function invalid(subject: string, why: string): ImageError {
  return new ImageError('ISOLA_IMAGE_MANIFEST_INVALID', `the manifest ${subject} is not valid: ${why}`, subject,
    { hint: 'the registry or archive serves a broken image; ask its publisher' });
}

function parseDescriptor(subject: string, value: unknown, where: string): Descriptor {
  const d = value as Partial<Record<keyof Descriptor, unknown>> | null;
  if (typeof d !== 'object' || d === null) throw invalid(subject, `${where} is not an object`);
  if (typeof d.mediaType !== 'string') throw invalid(subject, `${where}.mediaType is missing`);
  if (typeof d.digest !== 'string' || !isDigest(d.digest)) throw invalid(subject, `${where}.digest is not a sha256 digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(subject, `${where}.size is not a size`);
  const p = d.platform as Partial<Platform> | undefined;
  const platform = typeof p === 'object' && p !== null && typeof p.os === 'string' && typeof p.architecture === 'string'
    ? { os: p.os, architecture: p.architecture, variant: typeof p.variant === 'string' ? p.variant : undefined } : undefined;
  return { mediaType: d.mediaType, digest: d.digest, size: d.size, platform };
}

/** Parses a manifest or index; `contentType` is the registry's Content-Type when the body has no mediaType. */
export function parseManifest(bytes: Uint8Array, subject: string, contentType?: string): ImageManifest | ImageIndex {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid(subject, 'it is not JSON');
  }
  if (typeof doc !== 'object' || doc === null) throw invalid(subject, 'it is not a JSON object');
  const mediaType = typeof doc['mediaType'] === 'string' ? doc['mediaType'] : (contentType?.split(';')[0]?.trim() ?? '');
  if (doc['schemaVersion'] !== 2) {
    throw new ImageError('ISOLA_IMAGE_MANIFEST_UNSUPPORTED', `the manifest ${subject} has schemaVersion ${String(doc['schemaVersion'])}`, subject,
      { hint: 'docker schema 1 images are not supported: push the image again with a current tool' });
  }
  if (Array.isArray(doc['manifests'])) {
    return { kind: 'index', mediaType, manifests: doc['manifests'].map((m, i) => parseDescriptor(subject, m, `manifests[${i}]`)) };
  }
  if (!Array.isArray(doc['layers'])) throw invalid(subject, 'it has neither layers nor manifests');
  return {
    kind: 'manifest', mediaType,
    config: parseDescriptor(subject, doc['config'], 'config'),
    layers: doc['layers'].map((l, i) => parseDescriptor(subject, l, `layers[${i}]`)),
  };
}

/** @throws ImageError ISOLA_IMAGE_MANIFEST_INVALID */
export function parseImageConfig(bytes: Uint8Array, subject: string): ImageConfig {
  let doc: ImageConfig;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as ImageConfig;
  } catch {
    throw invalid(subject, 'its config is not JSON');
  }
  const diffIds = doc?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === 'string' && isDigest(d))) {
    throw invalid(subject, 'its config has no rootfs.diff_ids list of sha256 digests');
  }
  return doc;
}

/** The compression a layer media type implies. */
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' | undefined {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip') || mediaType === MEDIA_TYPES.dockerLayerGzip) return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  if (mediaType === MEDIA_TYPES.ociLayer || mediaType.endsWith('.tar')) return 'none';
  return undefined;
}

/** Node's names for the host: x64 is amd64, arm64 is arm64 (v8). */
export function hostPlatform(): Platform {
  const architecture = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch;
  return { os: 'linux', architecture };
}

/**
 * The index entry for `platform`: an exact variant match first, then any
 * variant of the architecture (arm64 images often omit v8).
 * @throws ImageError ISOLA_IMAGE_PLATFORM_NOT_FOUND
 */
export function selectPlatform(index: ImageIndex, platform: Platform, subject: string): Descriptor {
  const candidates = index.manifests.filter((m) => m.platform?.os === platform.os && m.platform.architecture === platform.architecture);
  const exact = candidates.find((m) => platform.variant === undefined || m.platform?.variant === platform.variant);
  const found = exact ?? candidates[0];
  if (found === undefined) {
    const offered = index.manifests.map((m) => m.platform === undefined ? '?' : `${m.platform.os}/${m.platform.architecture}${m.platform.variant === undefined ? '' : `/${m.platform.variant}`}`);
    throw new ImageError('ISOLA_IMAGE_PLATFORM_NOT_FOUND', `${subject} has no image for ${platform.os}/${platform.architecture} (it has ${offered.join(', ') || 'none'})`,
      subject, { hint: 'pick an image built for this machine' });
  }
  return found;
}

/** `os/arch[/variant]` as podman's --platform takes it. @throws ImageError ISOLA_IMAGE_REFERENCE_INVALID */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split('/');
  if (os === undefined || os === '' || architecture === undefined || architecture === '' || variant === '' || rest.length > 0) {
    throw new ImageError('ISOLA_IMAGE_REFERENCE_INVALID', `invalid platform ${JSON.stringify(text)}`, text, { hint: 'write OS/ARCH[/VARIANT], e.g. linux/arm64' });
  }
  return { os, architecture, variant };
}
