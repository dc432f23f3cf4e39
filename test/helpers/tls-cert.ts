/**
 * A self-signed certificate for 127.0.0.1, made at test time with openssl
 * (EC P-256, valid two days), for TLS registries and servers in tests.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.ts';

export interface SelfSignedCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** A directory holding only `ca.crt` (this certificate): what `--cert-dir` takes. */
  readonly certDir: string;
}

/** Writes `cert.pem`, `key.pem` and `certs/ca.crt` under `dir`. */
export async function makeSelfSignedCert(dir: string): Promise<SelfSignedCert> {
  await mkdir(dir, { recursive: true });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const result = await runCommand(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '2', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  if (result.code !== 0) throw new Error(`openssl req failed: ${result.stderr}`);
  const certPem = await readFile(certFile, 'utf8');
  const certDir = join(dir, 'certs');
  await mkdir(certDir, { recursive: true });
  await writeFile(join(certDir, 'ca.crt'), certPem);
  return { certFile, keyFile, certPem, keyPem: await readFile(keyFile, 'utf8'), certDir };
}
