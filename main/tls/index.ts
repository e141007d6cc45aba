export {
  openLocalCa,
  localCaDir,
  localCaCertPath,
  LocalCaError,
  type LocalCa,
} from './local-ca.js';
export type { CertificatePair } from './issue.js';
export {
  renewLocalTlsWhileServing,
  type LocalTlsRenewal,
  type LocalTlsRenewalOptions,
} from './renewal.js';
