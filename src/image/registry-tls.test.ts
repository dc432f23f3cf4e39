import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { requireCommand } from '../../test/helpers/requirements.ts';
import { makeSelfSignedCert, type SelfSignedCert } from '../../test/helpers/tls-cert.ts';
import { isCertificateErrorCode, isClientCertificateRefusal, readCertDir, registryFetch } from './registry-tls.ts';

let work = '';

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'isola-tls-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** An HTTPS server on 127.0.0.1 answering every request with `ok`; with `clientCa`, only to clients with a certificate it signed. */
async function withHttpsServer(cert: SelfSignedCert, fn: (origin: string) => Promise<void>, clientCa?: string): Promise<void> {
  const clientAuth = clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: true, ca: [clientCa] };
  const server = createServer({ cert: cert.certPem, key: cert.keyPem, ...clientAuth }, (_request, response) => response.end('ok'));
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
  await writeFile(join(dir, 'README'), 'notes');
  assert.deepEqual(await readCertDir(dir), { caCertificates: [pem('a'), pem('b')], clientCertificate: undefined });
});

test('a NAME.cert and NAME.key pair is the client certificate', async (t) => {
  if (!requireCommand(t, 'openssl')) return;
  const client = await makeSelfSignedCert(join(work, 'pair-source'));
  const dir = join(work, 'pair');
  await mkdir(dir);
  await copyFile(client.certFile, join(dir, 'client.cert'));
  await copyFile(client.keyFile, join(dir, 'client.key'));
  assert.deepEqual(await readCertDir(dir), { caCertificates: [], clientCertificate: { cert: client.certPem, key: client.keyPem } });
});

test('a .cert without its .key, a .key without its .cert, or a mismatched pair is ISOLA_REGISTRY_CERT_DIR_INVALID naming both files', async (t) => {
  if (!requireCommand(t, 'openssl')) return;
  const one = await makeSelfSignedCert(join(work, 'one'));
  const other = await makeSelfSignedCert(join(work, 'other'));
  const cases: [string, Record<string, string>, RegExp][] = [
    ['lone-cert', { 'me.cert': one.certPem }, /me\.cert.*me\.key/],
    ['lone-key', { 'me.key': one.keyPem }, /me\.key.*me\.cert/],
    ['mismatch', { 'me.cert': one.certPem, 'me.key': other.keyPem }, /me\.cert and me\.key/],
    ['not-pem', { 'me.cert': one.certPem, 'me.key': 'secret' }, /me\.key, which holds no PEM private key/],
  ];
  for (const [name, files, message] of cases) {
    const dir = join(work, name);
    await mkdir(dir);
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
    await assert.rejects(readCertDir(dir), (err: Error & { code?: string }) => err.code === 'ISOLA_REGISTRY_CERT_DIR_INVALID' && message.test(err.message), name);
  }
});

test('a server demanding a client certificate answers with the pair and refuses without it', async (t) => {
  if (!requireCommand(t, 'openssl')) return;
  const server = await makeSelfSignedCert(join(work, 'mtls-server'));
  const client = await makeSelfSignedCert(join(work, 'mtls-client'));
  await withHttpsServer(server, async (origin) => {
    const withPair = registryFetch({ caCertificates: [server.certPem], clientCertificate: { cert: client.certPem, key: client.keyPem } });
    assert.equal(await (await withPair(`${origin}/v2/`)).text(), 'ok');
    const refused = await registryFetch({ caCertificates: [server.certPem] })(`${origin}/v2/`).then(async (r) => r.text(), (error: unknown) => error);
    assert.equal(isClientCertificateRefusal((refused as { cause?: { code?: string } }).cause?.code), true, String(refused));
  }, client.certPem);
});

test('a missing certificate directory or a .crt file without a PEM certificate is ISOLA_REGISTRY_CERT_DIR_INVALID', async () => {
  await assert.rejects(readCertDir(join(work, 'absent')), { code: 'ISOLA_REGISTRY_CERT_DIR_INVALID' });
  const dir = join(work, 'bad');
  await mkdir(dir);
  await writeFile(join(dir, 'ca.crt'), 'not a certificate');
  await assert.rejects(readCertDir(dir), { code: 'ISOLA_REGISTRY_CERT_DIR_INVALID' });
});
