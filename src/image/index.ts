/**
 * image/: OCI images. It owns references, the registry client, the blob store,
 * manifests, and safe layer unpacking (tar reading and writing, whiteouts,
 * path resolution confined to the layer's directory). It does not mount or
 * shift ids: storage/ stacks unpacked layers and maps them.
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
