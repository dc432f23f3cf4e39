/**
 * `rmi` with containers in mind: an image a container (running or stopped)
 * was created from is not removed under it, as podman refuses; `force`
 * removes those containers first. Only removing a name of an image that
 * keeps other names is harmless to them.
 */
import { ImageError, type RemovedImage } from '../image/index.ts';
import type { ImageService } from './images.ts';
import type { ContainerInfo } from './lifecycle/container-info.ts';

export interface ContainerAccess {
  list(): Promise<ContainerInfo[]>;
  remove(id: string): Promise<void>;
}

function isWholeImage(text: string, image: { readonly id: string; readonly names: readonly string[] }): boolean {
  return image.names.length <= 1 || image.id.startsWith(text.replace(/^sha256:/, ''));
}

/**
 * @throws ImageError ISOLA_IMAGE_IN_USE naming the containers, unless `isForced`;
 *   then nothing is removed (images checked before any goes).
 */
export async function removeImages(images: Pick<ImageService, 'get' | 'remove'>, containers: ContainerAccess, texts: readonly string[],
  isForced: boolean): Promise<RemovedImage[]> {
  const all = await containers.list();
  const users: ContainerInfo[] = [];
  for (const text of texts) {
    const image = await images.get(text);
    if (!isWholeImage(text, image)) continue;
    const found = all.filter((c) => c.image?.id === image.id);
    if (found.length > 0 && !isForced) {
      throw new ImageError('ISOLA_IMAGE_IN_USE', `image ${text} is in use by container ${found.map((c) => c.name).join(', ')}`, text,
        { hint: `remove the container first (isola rm ${found[0]!.name}), or use isola rmi -f to remove it with the image` });
    }
    users.push(...found);
  }
  for (const container of new Set(users)) await containers.remove(container.id);
  return images.remove(texts);
}
