/** `isola image inspect IMAGE...`: podman's JSON for each image. */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine, type ImageDetails } from '../../engine/index.ts';
import { parseArgs } from '../parse-args.ts';
import { imageJson } from './images.ts';
import type { CliContext } from '../context.ts';

export function inspectJson(details: ImageDetails): Record<string, unknown> {
  const { image, config } = details;
  return {
    ...imageJson(details),
    Created: config.created ?? null,
    Config: config.config ?? {},
    Architecture: config.architecture ?? '', Os: config.os ?? '',
    RootFS: { Type: config.rootfs.type, Layers: config.rootfs.diff_ids },
    ManifestType: image.manifestMediaType,
    History: config.history ?? [],
  };
}

export async function imageInspectCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, []);
  if (args.positionals.length === 0) throw new InvalidOptionError('isola image inspect', 'one or more images', 'nothing');
  const engine = await Engine.open(context.engineOptions);
  try {
    const images = await engine.images();
    const all = [];
    for (const text of args.positionals) all.push(inspectJson(await images.details(await images.get(text))));
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
