import type { Digest } from './digest.ts';

/** What a pull reports as it goes, for progress displays. Sizes and byte counts in bytes. */
export type PullEvent =
  | { readonly kind: 'resolved'; readonly reference: string; readonly manifestDigest: Digest; readonly layers: readonly { readonly digest: Digest; readonly size: number }[] }
  /** The blob was stored already: not fetched. */
  | { readonly kind: 'layer-exists'; readonly digest: Digest; readonly size: number }
  | { readonly kind: 'layer-progress'; readonly digest: Digest; readonly bytes: number; readonly size: number }
  | { readonly kind: 'layer-downloaded'; readonly digest: Digest; readonly size: number }
  | { readonly kind: 'layer-unpacked'; readonly digest: Digest; readonly diffId: Digest }
  | { readonly kind: 'stored'; readonly imageId: string };

/** What a push reports as it goes. */
export type PushEvent =
  | { readonly kind: 'blob-exists'; readonly digest: Digest; readonly size: number }
  | { readonly kind: 'blob-progress'; readonly digest: Digest; readonly bytes: number; readonly size: number }
  | { readonly kind: 'blob-pushed'; readonly digest: Digest; readonly size: number }
  /** Linked from another repository of the same registry: nothing uploaded. */
  | { readonly kind: 'blob-mounted'; readonly digest: Digest; readonly size: number; readonly from: string }
  | { readonly kind: 'manifest-pushed'; readonly reference: string; readonly digest: Digest };
