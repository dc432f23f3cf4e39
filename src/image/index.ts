/**
 * image/: references, the registry client (OCI distribution), the blob and image
 * stores, manifests, and safe layer unpacking. It fetches, verifies and stores
 * content under the engine root and returns data; it never prints, reads the
 * environment or exits, and knows nothing of containers.
 */
// Registry, references and stores (image-registry).
export { ImageError, RegistryError, type ImageErrorCode } from './errors.ts';
export { digestHex, digestOf, isDigest, parseDigest, type Digest } from './digest.ts';
export {
  DEFAULT_REGISTRY, DEFAULT_TAG, formatName, formatReference, manifestReference, parseReference, repositoryFor, withRegistry,
  type ImageReference, type ParsedReference,
} from './reference.ts';
export { DEFAULT_REGISTRIES_CONFIG, isInsecureRegistry, loadRegistriesConfig, parseRegistriesConfig, type RegistriesConfig } from './registries-config.ts';
export { findCredentials, removeCredentials, storeCredentials, type Credentials } from './credentials.ts';
export {
  MEDIA_TYPES, hostPlatform, parseImageConfig, parseManifest, selectPlatform,
  type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest, type Platform,
} from './manifest.ts';
