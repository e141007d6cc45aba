export { createGateway, longestDrainMs, TUNNEL_PATH, type Gateway } from './server.js';
export {
  loadGatewayConfig,
  parseGatewayConfig,
  ConfigError,
  DEFAULT_LISTEN,
  type GatewayConfig,
} from './config.js';
export { hashApiKey } from './keys.js';
export { createJsonLogger, silentLogger, type Logger } from './log.js';
export { reloadConfigFile } from './reload.js';
