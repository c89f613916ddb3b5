import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** The CA that signed the server certificate (PEM). */
  ca: string;
  /** A second CA, which signed nothing the server has: trusting it must not make the server trusted. */
  otherCa: string;
  /** The server's certificate for 127.0.0.1 and localhost, and its key (PEM). */
  cert: string;
  key: string;
}

/** Throwaway certificates in `dir`, made with openssl (a day's validity, RSA 2048). */
export function makeCertificates(dir: string): TestCertificates {
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  const newCa = (name: string): void =>
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=beautyspot test ${name}`,
      '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`));
  newCa('ca');
  newCa('other-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr'));
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-days', '1', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-extfile', file('server.ext'), '-out', file('server.pem'));
  return { ca: file('ca.pem'), otherCa: file('other-ca.pem'), cert: file('server.pem'), key: file('server.key') };
}
