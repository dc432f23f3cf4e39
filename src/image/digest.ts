/**
 * Content digests (`sha256:<64 hex>`), the names of everything in the stores.
 * Only sha256 is accepted: it is what registries and the OCI image spec require
 * implementations to support, and a single algorithm keeps the blob store flat.
 */
import type { Hash } from 'node:crypto';
import { ImageError } from './errors.ts';

export type Digest = `sha256:${string}`;

const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export function isDigest(text: string): text is Digest {
  return DIGEST_PATTERN.test(text);
}

/** @throws ImageError ISOLA_IMAGE_REFERENCE_INVALID */
export function parseDigest(text: string, what = 'digest'): Digest {
  if (!isDigest(text)) {
    throw new ImageError('ISOLA_IMAGE_REFERENCE_INVALID', `${what} ${JSON.stringify(text)} is not a sha256 digest`, text,
      { hint: 'a digest is sha256: followed by 64 lowercase hex digits' });
  }
  return text;
}

/** The 64 hex digits, used as file names. */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

export function digestOf(bytes: Uint8Array | string): Digest {
  return `sha256:${newDigester().update(bytes).digest('hex')}`;
}

/**
 * node:crypto loads on the first hash, not with the image code: running a
 * stored image hashes nothing, and loading it costs milliseconds of start-up.
 */
export function newDigester(): Hash {
  return process.getBuiltinModule('node:crypto').createHash('sha256');
}
