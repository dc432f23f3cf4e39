import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, formatCommandHelp, formatMainHelp, requestHelp } from './main.ts';
import { formatFlagHelp, HelpRequest, isHelpToken, parseArgs, type FlagSpec } from './parse-args.ts';
import { SUBCOMMANDS as IMAGE_SUBCOMMANDS } from './commands/image.ts';
import { CONTAINER_SUBCOMMANDS } from './commands/containers.ts';

/** Every command line that parses flags of its own: top-level commands and those of the groups. */
const COMMAND_LINES: readonly (readonly [string, ...string[]])[] = [
  ...Object.keys(COMMANDS).map((name) => [name] as [string]),
  ...Object.keys(IMAGE_SUBCOMMANDS).map((sub) => ['image', sub] as [string, string]),
  ...CONTAINER_SUBCOMMANDS.map((sub) => ['container', sub] as [string, string]),
  ['userns', 'ls'], ['volume', 'ls'], ['volume', 'create'],
];

function assertFlagsListed(text: string, flags: readonly FlagSpec[], what: string): void {
  for (const flag of flags) {
    assert.ok(flag.description.trim() !== '' && !flag.description.includes('\n'), `${what} --${flag.name} has a one-line description`);
    assert.match(text, new RegExp(`--${flag.name}\\b.*${flag.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `${what} lists --${flag.name}`);
    if (flag.short !== undefined) assert.ok(text.includes(`-${flag.short}, --${flag.name}`), `${what} lists -${flag.short}`);
  }
}

test('every command answers --help with its usage and every flag its parser takes', async () => {
  for (const [name, ...sub] of COMMAND_LINES) {
    const what = ['isola', name, ...sub].join(' ');
    const request = await requestHelp(name, sub);
    assert.ok(request instanceof HelpRequest, `${what} --help is answered before the command does anything`);
    const text = formatCommandHelp(name, COMMANDS[name]!, request);
    assert.ok(text.startsWith(`usage: isola ${name}`), what);
    assertFlagsListed(text, request.flags, what);
    const names = request.flags.map((f) => f.name);
    const shorts = request.flags.flatMap((f) => (f.short === undefined ? [] : [f.short]));
    assert.equal(new Set(names).size, names.length, `${what} has no flag twice`);
    assert.equal(new Set(shorts).size, shorts.length, `${what} has no short flag twice`);
  }
});

test('run and create help lists the run flags, -h stays --hostname', async () => {
  for (const name of ['run', 'create']) {
    const request = await requestHelp(name);
    assert.ok(request?.flags.some((f) => f.name === 'volume' && f.short === 'v'));
    assert.ok(request?.flags.some((f) => f.name === 'hostname' && f.short === 'h'));
  }
});

test('isola --help lists every command with a one-line summary', () => {
  const text = formatMainHelp();
  for (const [name, entry] of Object.entries(COMMANDS)) {
    assert.ok(entry.summary !== '' && !entry.summary.includes('\n'), name);
    assert.match(text, new RegExp(`^  ${name} +${entry.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), name);
  }
});

test('--help and -h before the first positional ask for help; after it they belong to the container', () => {
  const specs: FlagSpec[] = [{ name: 'all', short: 'a', takesValue: false, description: 'all' }];
  for (const argv of [['--help'], ['-h'], ['-a', '--help', 'x']]) {
    assert.throws(() => parseArgs(argv, specs), (error: unknown) => error instanceof HelpRequest && error.flags === specs);
  }
  assert.deepEqual(parseArgs(['x', '--help'], specs).positionals, ['x', '--help']);
  assert.deepEqual(parseArgs(['--', '-h'], specs).positionals, ['-h']);
});

test('-h is a flag of its own for a command that claims it', () => {
  const specs: FlagSpec[] = [{ name: 'hostname', short: 'h', takesValue: true, description: 'host name' }];
  assert.equal(isHelpToken('-h', specs), false);
  assert.equal(isHelpToken('--help', specs), true);
  assert.deepEqual(parseArgs(['-h', 'box'], specs).flags.get('hostname'), ['box']);
});

test('flag help aligns descriptions and shows value names and repeatability', () => {
  const text = formatFlagHelp([
    { name: 'volume', short: 'v', takesValue: true, isRepeatable: true, valueName: 'SRC:CTR', description: 'bind' },
    { name: 'rm', takesValue: false, description: 'remove' },
  ]);
  assert.equal(text, '  -v, --volume SRC:CTR   bind (repeatable)\n      --rm               remove');
});

test('an unknown command is one error line and status 125, not the whole help', async () => {
  const { main } = await import('./main.ts');
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((text: string) => { written.push(text); return true; }) as typeof process.stderr.write;
  try {
    assert.equal(await main(['frobnicate']), 125);
    assert.equal(await main(['help', 'frobnicate']), 125);
  } finally {
    process.stderr.write = write;
  }
  assert.equal(written.length, 2);
  assert.ok(written.every((line) => line.startsWith('isola: ') && line.endsWith('\n') && !line.slice(0, -1).includes('\n')));
});
