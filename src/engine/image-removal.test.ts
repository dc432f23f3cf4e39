import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageRecord, RemovedImage } from '../image/index.ts';
import { removeImages, type ContainerAccess } from './image-removal.ts';
import type { ContainerInfo } from './lifecycle/container-info.ts';

const IMAGE = { id: 'a'.repeat(64), names: ['docker.io/library/bb:1'] } as unknown as ImageRecord;

function world(names: readonly string[], users: readonly string[]) {
  const calls: string[] = [];
  const image = { ...IMAGE, names } as ImageRecord;
  const images = {
    get: async () => image,
    remove: async (texts: readonly string[]): Promise<RemovedImage[]> => {
      calls.push(`rmi ${texts.join(' ')}`);
      return texts.map(() => ({ id: image.id, isImageRemoved: true }) as unknown as RemovedImage);
    },
  };
  const containers: ContainerAccess = {
    list: async () => users.map((name) => ({ id: `${name}-id`, name, image: { id: image.id, name: names[0] ?? '' } }) as unknown as ContainerInfo),
    remove: async (id) => { calls.push(`rm ${id}`); },
  };
  return { images, containers, calls };
}

test('an image a container was created from is refused, naming the container, and nothing is removed', async () => {
  const { images, containers, calls } = world(['docker.io/library/bb:1'], ['web']);
  await assert.rejects(removeImages(images, containers, ['bb:1'], false), (err: { code?: string }) => err.code === 'ISOLA_IMAGE_IN_USE');
  await assert.rejects(removeImages(images, containers, [IMAGE.id.slice(0, 12)], false), (err: { code?: string }) => err.code === 'ISOLA_IMAGE_IN_USE');
  assert.deepEqual(calls, []);
});

test('force removes the containers that use the image, then the image', async () => {
  const { images, containers, calls } = world(['docker.io/library/bb:1'], ['web', 'db']);
  await removeImages(images, containers, ['bb:1'], true);
  assert.deepEqual(calls, ['rm web-id', 'rm db-id', 'rmi bb:1']);
});

test('removing one of several names leaves the image, so its containers do not block it', async () => {
  const { images, containers, calls } = world(['docker.io/library/bb:1', 'docker.io/library/bb:2'], ['web']);
  await removeImages(images, containers, ['bb:2'], false);
  assert.deepEqual(calls, ['rmi bb:2']);
});
