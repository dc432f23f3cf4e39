import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../parse-args.ts';
import { REGISTRY_FLAGS, TRANSFER_FLAGS, registryAccess } from './registry-flags.ts';

const access = (argv: readonly string[]) => registryAccess(parseArgs([...argv, 'ref'], TRANSFER_FLAGS), '/home/u');

test('without flags the registry is verified and no certificate directory is used', () => {
  assert.deepEqual(access([]), { tlsVerify: true, certDir: undefined, credentials: undefined });
});

test('--tls-verify=false turns verification off and --tls-verify keeps it on', () => {
  assert.equal(access(['--tls-verify=false']).tlsVerify, false);
  assert.equal(access(['--tls-verify']).tlsVerify, true);
  assert.equal(access(['--tls-verify=true']).tlsVerify, true);
});

test('--cert-dir is resolved against the working directory', () => {
  assert.deepEqual(access(['--cert-dir', 'certs']), { tlsVerify: true, certDir: '/home/u/certs', credentials: undefined });
  assert.equal(access(['--cert-dir=/etc/isola/certs.d/r:5000']).certDir, '/etc/isola/certs.d/r:5000');
});

test('--tls-verify with a value other than true or false is an invalid option', () => {
  assert.throws(() => access(['--tls-verify=no']), { code: 'ISOLA_INVALID_OPTION' });
});

test('--cert-dir without a value is an invalid option', () => {
  assert.throws(() => registryAccess(parseArgs(['--cert-dir'], REGISTRY_FLAGS), '/'), { code: 'ISOLA_INVALID_OPTION' });
});

test('--creds USER:PASSWORD splits at the first colon, so the password may hold colons', () => {
  assert.deepEqual(access(['--creds', 'alice:s3:cret']).credentials, { username: 'alice', password: 's3:cret' });
  assert.deepEqual(access(['--creds=bob:']).credentials, { username: 'bob', password: '' });
});

test('--creds without a password or without a username is an invalid option that does not echo the password', () => {
  assert.throws(() => access(['--creds', 'alice']), { code: 'ISOLA_INVALID_OPTION' });
  assert.throws(() => access(['--creds', ':secret']), (err: Error & { code?: string }) => err.code === 'ISOLA_INVALID_OPTION' && !err.message.includes('secret'));
});
