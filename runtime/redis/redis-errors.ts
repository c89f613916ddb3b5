import { BeautyspotError, messageOf } from '../errors.js';

/** Error replies that mean the URL's login is wrong or lacks rights: the server's refusal, not a reply to pass on. */
export const ACCESS_REFUSED = /^(NOAUTH|WRONGPASS|NOPERM)\b/;
/** Codes of Node's TLS errors for a server certificate not trusted here, or not made out to the URL's host. */
const UNTRUSTED_CERTIFICATE = /CERT|UNABLE_TO_VERIFY/;

/** Redis did not answer: not connected, refused the command, or slower than the command timeout. The caller's miss. */
export class RedisUnavailableError extends BeautyspotError {
  override name = 'RedisUnavailableError';
  constructor(readonly redacted: string, reason: unknown) {
    super(`[beautyspot] Redis at ${redacted} did not answer: ${messageOf(reason).replace(/\.$/, '')}. ${adviceFor(reason)} ` +
      '(it reconnects by itself).',
    { cause: reason });
  }
}

function adviceFor(reason: unknown): string {
  const message = messageOf(reason);
  const code = (reason as { code?: unknown } | null | undefined)?.code;
  if (/^(NOAUTH|WRONGPASS)\b/.test(message)) {
    return 'Check the user and password in the URL: redis://user:password@host:port for an ACL user, redis://:password@… for ' +
      'requirepass, reserved characters percent-encoded';
  }
  if (message.startsWith('NOPERM')) return "Give the URL's ACL user all commands on the store's keys (e.g. +@all ~<prefix>*)";
  if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.test(code)) {
    return "The server's TLS certificate is not trusted here: give its CA to Node with NODE_EXTRA_CA_CERTS=<ca.pem>, " +
      "and check that the certificate names the URL's host";
  }
  return 'Check that the server is running and reachable from here';
}
