import { KEEPS_LISTENING, type GatewayCheck, type Tunnel } from '../engine/index.js';
import { sentenceWithHint, type SessionFailure } from '../pgwire/failure.js';

/**
 * Says on the terminal what the tunnel's dials to its gateway find, as they find it: a refusal or
 * an unreachable gateway at once (the first dial is made as the tunnel starts, before any client),
 * and the gateway answering again after that.
 *
 * Resolves with the failure when the very first dial was refused for good (a wrong key, no
 * database behind it, a wrong path): the caller ends the tunnel with it, as for any other wrong
 * setting. Otherwise it never resolves; an unreachable gateway only keeps being reported.
 */
export function reportGatewayChecks(tunnel: Tunnel): Promise<SessionFailure> {
  return new Promise((refusedAtStart) => {
    let first = true;
    let failing = false;
    tunnel.on('gateway-checked', (check: GatewayCheck) => {
      const wasFirst = first;
      first = false;
      if (check.ok) {
        if (failing) {
          console.info('✅ The tunnel gateway answers again.');
        }
        failing = false;
        return;
      }
      failing = true;
      if (wasFirst && check.lasting) {
        refusedAtStart(check.failure);
        return;
      }
      console.error(
        `⚠️  ${sentenceWithHint(check.failure)}${check.lasting ? '' : ` ${KEEPS_LISTENING}`}`,
      );
    });
  });
}
