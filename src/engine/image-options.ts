/**
 * One step shared by foreground and detached image runs: from an image and
 * the user's options to the options a container runs with (the image config
 * merged in, see image-config.ts; an auto range sized for the image) and the
 * layer directories that become its rootfs.
 */
import { InvalidOptionError } from '../errors/index.ts';
import type { UsernsMode } from '../spec/index.ts';
import { configuredUserns } from './config-defaults.ts';
import type { EngineConfig } from './config/index.ts';
import { autoSizeForImage, AUTO_BLOCK, mergeImageConfig, type ImageRunSettings } from './image-config.ts';
import { prepareRunImage } from './image-run.ts';
import type { ImageService } from './images.ts';
import type { RunImageInfo, RunOptions } from './run.ts';

export type ImageOptionsRequest = Pick<RunOptions, 'image' | 'pull' | 'tlsVerify' | 'certDir' | 'registryCredentials' | 'onPullProgress'
  | 'entrypoint' | 'user' | 'cwd' | 'rootfs' | 'rootfsLayers' | 'userns'> & {
  readonly image: string;
  /** The user's command arguments (after the image). */
  readonly args: readonly string[];
  readonly env: readonly string[];
};

export interface ImageOptions extends ImageRunSettings {
  readonly userns: UsernsMode;
  /** Unpacked layer directories, bottom first: the rootfs. */
  readonly rootfsLayers: readonly string[];
  readonly image: RunImageInfo;
  /** The image's StopSignal, when it has one. */
  readonly stopSignal: string | undefined;
  /** The image's VOLUME paths (a recorded container gets anonymous volumes there). */
  readonly imageVolumes: readonly string[];
  /** Set when the auto range was enlarged to cover the image's highest id. */
  readonly rangeForImage: { readonly maxId: number; readonly size: number } | undefined;
}

/**
 * Pulls (per `pull`) and unpacks the image as needed.
 * @throws InvalidOptionError with a rootfs or layers too; ImageError; InvalidOptionError without a command
 */
export async function resolveImageOptions(images: ImageService, config: EngineConfig, request: ImageOptionsRequest): Promise<ImageOptions> {
  if (request.rootfs !== undefined || request.rootfsLayers !== undefined) {
    throw new InvalidOptionError('image', 'an image, or a rootfs, not both', request.image);
  }
  const { image, config: imageConfig, layerDirs, maxId } = await prepareRunImage(images, {
    image: request.image, pull: request.pull, onPullProgress: request.onPullProgress,
    access: { tlsVerify: request.tlsVerify, certDir: request.certDir, credentials: request.registryCredentials },
  });
  const merged = mergeImageConfig(imageConfig.config, request, image.names[0] ?? request.image);
  let userns = configuredUserns(request.userns, config);
  const isSizeChosen = request.userns?.kind === 'auto' && request.userns.size !== undefined;
  let rangeForImage: ImageOptions['rangeForImage'];
  if (userns.kind === 'auto' && !isSizeChosen && autoSizeForImage(maxId) > (userns.size ?? AUTO_BLOCK)) {
    userns = { kind: 'auto', size: autoSizeForImage(maxId) };
    rangeForImage = { maxId, size: userns.size! };
  }
  return {
    ...merged, userns, rootfsLayers: layerDirs, stopSignal: imageConfig.config?.StopSignal || undefined, rangeForImage,
    imageVolumes: Object.keys(imageConfig.config?.Volumes ?? {}),
    image: {
      id: image.id, names: image.names, labels: imageConfig.config?.Labels ?? {},
      exposedPorts: Object.keys(imageConfig.config?.ExposedPorts ?? {}),
    },
  };
}
