/**
 * image/: OCI images. It owns references, the registry client (OCI
 * distribution), the blob and image stores, manifests, and safe layer
 * unpacking (tar reading and writing, whiteouts, path resolution confined to
 * the layer's directory). It fetches, verifies and stores content under the
 * engine root and returns data; it never prints, reads the environment or
 * exits. It does not mount or shift ids: storage/ stacks unpacked layers and maps them.
 */
// Layers: tar and unpack (branch image-layers).
export type { TarEntry, TarEntryType, SparseSegment } from './tar/tar-entry.ts';
export { readTarEntries, type TarStreamEntry } from './tar/tar-reader.ts';
export { writeTar, formatEntryHeader, type TarWriteEntry, type TarWriteItem } from './tar/tar-writer.ts';
export { TarParser, type TarParserEvents } from './tar/tar-parser.ts';
export { TarError, type TarErrorCode } from './tar/tar-error.ts';
export { openDecompressed, type Compression } from './tar/decompress.ts';
export { unpackLayer, type LayerUnpackOptions, type UnpackedLayer } from './unpack/unpack-layer.ts';
export { LayerError, type LayerErrorCode } from './unpack/layer-error.ts';
// Registry, references and stores (branch image-registry).
export { ImageError, RegistryError, type ImageErrorCode } from './errors.ts';
export { digestHex, digestOf, isDigest, parseDigest, type Digest } from './digest.ts';
export {
  DEFAULT_REGISTRY, DEFAULT_TAG, formatName, formatReference, manifestReference, parseReference, repositoryFor, withRegistry,
  type ImageReference, type ParsedReference,
} from './reference.ts';
export { DEFAULT_REGISTRIES_CONFIG, isInsecureRegistry, loadRegistriesConfig, parseRegistriesConfig, type RegistriesConfig } from './registries-config.ts';
export { findCredentials, removeCredentials, storeCredentials, type CredentialLookupOptions, type Credentials } from './credentials.ts';
export {
  MEDIA_TYPES, hostPlatform, parseImageConfig, parseManifest, parsePlatform, selectPlatform,
  type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest, type Platform,
} from './manifest.ts';
export { BlobStore, type BlobSource, type IngestOptions } from './blob-store.ts';
export { ImageStore, type ImageStoreOptions, type ImageRecord, type LayerRecord, type NewImage, type RemovedImage, type StoredLayer } from './image-store.ts';
export {
  isCertificateErrorCode, isClientCertificateRefusal, readCertDir, registryFetch,
  type CertDir, type ClientCertificate, type RegistryFetch, type RegistryTlsOptions,
} from './registry-tls.ts';
export { RegistryClient, UPLOAD_CHUNK_BYTES, type FetchedManifest, type RegistryClientOptions } from './registry-client.ts';
export type { PullEvent, PushEvent } from './pull-events.ts';
export { pullImage, mapConcurrently, type PullImageOptions } from './pull.ts';
export { pushImage, type PushImageOptions } from './push.ts';
export { ensureImageUnpacked, ensureLayerUnpacked, type LayerUnpacking, type UnpackLayerFn, type WhiteoutFormat } from './layer-unpack.ts';
export { loadArchive } from './archive/load-archive.ts';
export { saveArchive, type ArchiveFormat } from './archive/save-archive.ts';
export { importRootfs, type ImportOptions, type TarballSource } from './archive/import-rootfs.ts';
export { parseImportChanges, type ImportRunConfig } from './archive/import-changes.ts';
