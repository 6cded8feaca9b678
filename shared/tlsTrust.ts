/**
 * TLS trust failures are not temporary: re-running the job gives the same
 * certificate. They say what to trust instead (a TLS-inspecting proxy's CA, a
 * private cloud's CA) or what is wrong with the certificate. Node reports them
 * as error codes on the socket error, which core-rest-pipeline keeps as
 * `RestError.code`; identity keeps them in its message or `cause`.
 */
import type { FrontEnd, Wording } from './frontEnd';

/** Node/OpenSSL codes of a certificate chain nobody here trusts. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const WRONG_HOST = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

const ALL = [...UNTRUSTED, ...WRONG_HOST, ...OUT_OF_DATE];
const IN_TEXT = new RegExp(`\\b(${ALL.join('|')})\\b`);

/** The TLS trust code carried by `e` (its code, its message, or its causes'), or undefined. */
export function tlsTrustCode(e: unknown, depth = 0): string | undefined {
  if (depth > 5 || e === null || e === undefined) return undefined;
  if (typeof e === 'string') return IN_TEXT.exec(e)?.[1];
  if (typeof e !== 'object') return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && ALL.includes(code)) return code;
  const message = (e as { message?: unknown }).message;
  const inMessage = typeof message === 'string' ? IN_TEXT.exec(message)?.[1] : undefined;
  return inMessage ?? tlsTrustCode((e as { cause?: unknown }).cause, depth + 1);
}

/** Where each front-end is told to put the CA it should trust. */
function trustAdvice(fe: FrontEnd): string {
  const where =
    fe.id === 'cli'
      ? 'pass it with --ca-file <file> (or set NODE_EXTRA_CA_CERTS to that file)'
      : fe.id === 'ado'
        ? "set NODE_EXTRA_CA_CERTS to that file in the step's environment (on a self-hosted agent, the proxy's CA as configured for the agent)"
        : "set NODE_EXTRA_CA_CERTS to that file in the step's environment";
  return (
    'If a TLS-inspecting proxy or a private CA sits in between, trust its CA certificate: put it (PEM) in a file and ' +
    `${where}. Re-running without that does not help.`
  );
}

/** The settings that name an endpoint, as this front-end spells them. */
function endpointSettings(fe: FrontEnd): string {
  const inputs = (['arm-endpoint', 'authority-host', 'ip-providers'] as const).filter((n) => fe.uses(n));
  const named = inputs.map((n) => fe.input(n));
  // Azure DevOps takes the cloud's endpoints from the service connection.
  return (fe.uses('arm-endpoint') ? named : ["the service connection's endpoints", ...named]).join(' / ');
}

/** What to do about a TLS trust failure talking to `host`, in the words of the front-end that shows it. */
export function tlsTrustHint(code: string, host: string): Wording {
  return (fe) => {
    if (WRONG_HOST.has(code)) {
      return (
        `The certificate ${host} presented is for another host name (${code}). Check the endpoint URL (${endpointSettings(fe)}) ` +
        `and any proxy that answers in its place. ${trustAdvice(fe)}`
      );
    }
    if (OUT_OF_DATE.has(code)) {
      return (
        `The certificate ${host} presented is not valid now (${code}): it has expired, or this agent's clock is wrong. ` +
        "Check the agent's date and time; a proxy or private endpoint with an expired certificate must renew it."
      );
    }
    return `The certificate ${host} presented is not signed by a CA this agent trusts (${code}). ${trustAdvice(fe)}`;
  };
}
