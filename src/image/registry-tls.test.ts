import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { requireCommand } from '../../test/helpers/requirements.ts';
import { makeSelfSignedCert, type SelfSignedCert } from '../../test/helpers/tls-cert.ts';
import { isCertificateErrorCode, readCertDir, registryFetch } from './registry-tls.ts';

let work = '';

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'isola-tls-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** An HTTPS server on 127.0.0.1 answering every request with `ok`. */
async function withHttpsServer(cert: SelfSignedCert, fn: (origin: string) => Promise<void>): Promise<void> {
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('the default options use the global fetch, so a normal run loads nothing more', () => {
  assert.equal(registryFetch(), fetch);
  assert.equal(registryFetch({ isVerified: true, caCertificates: [] }), fetch);
  assert.notEqual(registryFetch({ isVerified: false }), fetch);
});

test('a self-signed server is refused when verified, and answers when not verified or when its CA is given', async (t) => {
  if (!requireCommand(t, 'openssl')) return;
  const cert = await makeSelfSignedCert(join(work, 'server'));
  const stranger = await makeSelfSignedCert(join(work, 'stranger'));
  await withHttpsServer(cert, async (origin) => {
    const refused = await registryFetch()(`${origin}/v2/`).then(() => undefined, (error: unknown) => error);
    assert.equal(isCertificateErrorCode((refused as { cause?: { code?: string } }).cause?.code), true);
    const wrongCa = await registryFetch({ caCertificates: [stranger.certPem] })(`${origin}/v2/`).then(() => undefined, (error: unknown) => error);
    assert.equal(isCertificateErrorCode((wrongCa as { cause?: { code?: string } }).cause?.code), true);
    assert.equal(await (await registryFetch({ isVerified: false })(`${origin}/v2/`)).text(), 'ok');
    assert.equal(await (await registryFetch({ caCertificates: [cert.certPem] })(`${origin}/v2/`)).text(), 'ok');
  });
});

test('certificate verification codes are told apart from other connection failures', () => {
  for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
    assert.equal(isCertificateErrorCode(code), true, code);
  }
  for (const code of ['ECONNREFUSED', 'EPROTO', 'ECONNRESET', 'ERR_SSL_WRONG_VERSION_NUMBER', undefined]) assert.equal(isCertificateErrorCode(code), false, code);
});

test('a certificate directory gives its *.crt files in name order and ignores other files', async () => {
  const dir = join(work, 'certs');
  await mkdir(dir);
  const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;
  await writeFile(join(dir, 'b.crt'), pem('b'));
  await writeFile(join(dir, 'a.crt'), pem('a'));
  await writeFile(join(dir, 'client.cert'), pem('client'));
  await writeFile(join(dir, 'client.key'), 'key');
  assert.deepEqual(await readCertDir(dir), [pem('a'), pem('b')]);
});

test('a missing certificate directory or a .crt file without a PEM certificate is ISOLA_REGISTRY_CERT_DIR_INVALID', async () => {
  await assert.rejects(readCertDir(join(work, 'absent')), { code: 'ISOLA_REGISTRY_CERT_DIR_INVALID' });
  const dir = join(work, 'bad');
  await mkdir(dir);
  await writeFile(join(dir, 'ca.crt'), 'not a certificate');
  await assert.rejects(readCertDir(dir), { code: 'ISOLA_REGISTRY_CERT_DIR_INVALID' });
});
