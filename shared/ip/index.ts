/** Public IP resolution: what the rest of the core uses from `shared/ip/`. */
export { familyOf, isCidr, isIpAddress, NON_PUBLIC_RANGES, type IpFamily } from './address';
export { readEchoAnswer, type EchoAnswer } from './answer';
export { createEchoHttp, type EchoHttp, type EchoHttpOptions } from './fetchText';
export {
  DEFAULT_IP_DEADLINE_MS,
  DEFAULT_PROVIDER_TIMEOUT_MS,
  quorumFor,
  resolvePublicIp,
  type PublicIp,
  type ResolvePublicIpOptions,
} from './resolve';
