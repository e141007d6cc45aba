export { freePort } from '../service/free-port.js';
