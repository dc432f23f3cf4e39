import { IsolaError, type IsolaErrorOptions } from '../errors/index.ts';

export type ImageErrorCode =
  | 'ISOLA_IMAGE_REFERENCE_INVALID'
  | 'ISOLA_IMAGE_NOT_FOUND'
  | 'ISOLA_IMAGE_IN_USE'
  | 'ISOLA_IMAGE_MANIFEST_INVALID'
  | 'ISOLA_IMAGE_MANIFEST_UNSUPPORTED'
  | 'ISOLA_IMAGE_PLATFORM_NOT_FOUND'
  | 'ISOLA_IMAGE_DIGEST_MISMATCH'
  | 'ISOLA_IMAGE_DOWNLOAD_INCOMPLETE'
  | 'ISOLA_IMAGE_STORE_UNAVAILABLE'
  | 'ISOLA_IMAGE_ARCHIVE_INVALID'
  | 'ISOLA_REGISTRY_UNREACHABLE'
  | 'ISOLA_REGISTRY_CERT_UNVERIFIED'
  | 'ISOLA_REGISTRY_CERT_DIR_INVALID'
  | 'ISOLA_REGISTRY_CLIENT_CERT_REFUSED'
  | 'ISOLA_REGISTRY_UNAUTHORIZED'
  | 'ISOLA_REGISTRY_DENIED'
  | 'ISOLA_REGISTRY_NOT_FOUND'
  | 'ISOLA_REGISTRY_ERROR'
  | 'ISOLA_REGISTRY_CONFIG_INVALID'
  | 'ISOLA_AUTH_FILE_INVALID'
  | 'ISOLA_AUTH_HELPER_NOT_FOUND'
  | 'ISOLA_AUTH_HELPER_FAILED'
  | 'ISOLA_AUTH_HELPER_INVALID';

/** Anything about images: references, registries, the blob and image stores. */
export class ImageError extends IsolaError {
  declare readonly code: ImageErrorCode;
  /** The image reference, digest, registry or file the failure is about. */
  readonly subject: string;

  constructor(code: ImageErrorCode, message: string, subject: string, options: IsolaErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ImageError';
    this.subject = subject;
  }
}

/** A registry answered with an HTTP error status (or not at all). */
export class RegistryError extends ImageError {
  /** HTTP status, or undefined when the registry could not be reached. */
  readonly status: number | undefined;
  /** The registry's error code from its JSON body (MANIFEST_UNKNOWN, DENIED, ...), when it sent one. */
  readonly registryCode: string | undefined;

  constructor(code: ImageErrorCode, message: string, subject: string,
    details: { readonly status?: number | undefined; readonly registryCode?: string | undefined } & IsolaErrorOptions = {}) {
    super(code, message, subject, details);
    this.name = 'RegistryError';
    this.status = details.status;
    this.registryCode = details.registryCode;
  }
}
