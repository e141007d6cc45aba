export {
  Tunnel,
  ListenError,
  KEEPS_LISTENING,
  type TunnelOptions,
  type GatewayRoute,
  type DirectRoute,
  type TunnelEvents,
  type FarSideCheck,
  type StopMode,
} from './tunnel.js';
export { DEFAULT_GATEWAY_URL } from './gateway-dial.js';
export { LocalTlsError, PG_ALPN_PROTOCOL, type LocalTlsCredentials } from './local-tls.js';
export type { FrameObserver, FrameDirection, CloseReason } from './session.js';
