/** Generated container names, adjective_noun as docker and podman make them. */
// Math.random: names need no secrecy, and node:crypto costs start-up time to load.
const randomInt = (n: number): number => Math.floor(Math.random() * n);

const ADJECTIVES = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nimble',
  'proud', 'quiet', 'rapid', 'sharp', 'tidy', 'vivid', 'witty', 'young', 'zealous', 'bold', 'clever', 'daring', 'frosty'];
const NOUNS = ['otter', 'falcon', 'badger', 'heron', 'lynx', 'marten', 'newt', 'osprey', 'panda', 'quokka', 'raven',
  'stoat', 'tapir', 'urchin', 'vole', 'walrus', 'yak', 'zebra', 'bison', 'crane', 'dingo', 'egret', 'ferret', 'gecko'];

export function generateName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NOUNS[randomInt(NOUNS.length)]}`;
}
