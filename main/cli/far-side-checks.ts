import { KEEPS_LISTENING, type FarSideCheck, type Tunnel } from '../engine/index.js';
import { sentenceWithHint, type SessionFailure } from '../failure/failure.js';

/**
 * Says on the terminal what the tunnel's connections to its far side find, as they find it: a
 * refusal, an unreachable gateway or database at once (the first connection is made as the tunnel
 * starts, before any client), and its answering again after that.
 *
 * Resolves with the failure when the very first dial was refused for good (a wrong key, no
 * database behind it, a wrong path): the caller ends the tunnel with it, as for any other wrong
 * setting. Otherwise it never resolves; an unreachable gateway only keeps being reported.
 */
export function reportFarSideChecks(tunnel: Tunnel): Promise<SessionFailure> {
  return new Promise((refusedAtStart) => {
    let first = true;
    let failing = false;
    tunnel.on('far-side-checked', (check: FarSideCheck) => {
      const wasFirst = first;
      first = false;
      if (check.ok) {
        if (failing) {
          console.info(`✅ ${tunnel.answersAgain()}`);
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
