import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImportChanges } from './import-changes.ts';

test('CMD and ENTRYPOINT take the JSON exec form as is and wrap the shell form in /bin/sh -c', () => {
  assert.deepEqual(parseImportChanges(['CMD ["sh"]', 'ENTRYPOINT /bin/echo hi there']), {
    Cmd: ['sh'], Entrypoint: ['/bin/sh', '-c', '/bin/echo hi there'],
  });
});

test('podman\'s INSTRUCTION=value form and lower-case instructions are taken', () => {
  assert.deepEqual(parseImportChanges(['CMD=/bin/bash', 'user=1000:1000']), { Cmd: ['/bin/sh', '-c', '/bin/bash'], User: '1000:1000' });
});

test('ENV takes KEY=VALUE pairs with quotes, the legacy KEY VALUE form, and a later value replaces an earlier one', () => {
  assert.deepEqual(parseImportChanges(['ENV A=1 B="two words" C=\'x=y\'', 'ENV LEGACY some value', 'ENV A=3']).Env,
    ['A=3', 'B=two words', 'C=x=y', 'LEGACY=some value']);
});

test('LABEL, EXPOSE (ports, protocols, ranges), VOLUME and WORKDIR fill their fields', () => {
  assert.deepEqual(parseImportChanges([
    'LABEL "org.x.name"="my app" version=1', 'EXPOSE 80 53/udp 8000-8001', 'VOLUME ["/data", "/logs"]', 'VOLUME /cache',
    'WORKDIR /srv', 'WORKDIR app',
  ]), {
    Labels: { 'org.x.name': 'my app', version: '1' },
    ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} },
    Volumes: { '/data': {}, '/logs': {}, '/cache': {} },
    WorkingDir: '/srv/app',
  });
});

for (const line of [
  'ONBUILD RUN make', 'RUN make', 'FROM busybox', 'COPY a /a', 'ENT foo', 'CMD', 'CMD ', 'CMD ["sh"', 'CMD [1, 2]', 'ENV', 'ENV =x', 'ENV A',
  'LABEL "unclosed=1', 'EXPOSE 0', 'EXPOSE 70000', 'EXPOSE 80/icmp', 'EXPOSE 90-80', 'VOLUME data', 'USER a b', 'USER :1', '', '["sh"]',
]) {
  test(`--change ${JSON.stringify(line)} is an invalid option naming --change`, () => {
    assert.throws(() => parseImportChanges([line]), { code: 'ISOLA_INVALID_OPTION', option: '--change' });
  });
}

test('ONBUILD is refused with a hint saying why', () => {
  assert.throws(() => parseImportChanges(['ONBUILD RUN make']), (err: { hint?: string }) => /ONBUILD/.test(err.hint ?? ''));
});
