// The container's HEALTHCHECK: exits 0 when the gateway's /healthz answers 200, and 1 when it
// answers anything else (503 while it drains after SIGTERM) or nothing within 2 s.
//
// PG_TUNNEL_HEALTH_URL sets the address (default http://127.0.0.1:8080/healthz). An https URL is
// checked without verifying the certificate: this asks the process on this host whether it
// serves, not whether it is who it claims to be, and its certificate names the public host.
import { get as getHttp } from 'node:http';
import { get as getHttps } from 'node:https';

const url = new URL(process.env.PG_TUNNEL_HEALTH_URL ?? 'http://127.0.0.1:8080/healthz');
const TIMEOUT_MS = 2000;

const fail = (reason) => {
  console.error(`pg-tunnel gateway health check: ${reason}`);
  process.exit(1);
};
const get = url.protocol === 'https:' ? getHttps : getHttp;
const request = get(url, { rejectUnauthorized: false, timeout: TIMEOUT_MS }, (response) => {
  response.resume();
  if (response.statusCode === 200) {
    process.exit(0);
  }
  fail(`${url.pathname} answered ${response.statusCode}`);
});
request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
request.on('error', (error) => fail(error.message));
