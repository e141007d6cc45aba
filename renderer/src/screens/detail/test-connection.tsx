import { useState } from 'react';
import { formatDuration } from '../../../../shared/format.js';
import type { TestResult } from '../../../../shared/tunnel-state.js';
import { useBridge } from '../../app/bridge-context.js';
import { useAction } from '../../hooks/use-action.js';

/** Opens one session through the tunnel and runs `select 1`: proof that the whole path works. */
export function TestConnection({
  profileId,
  listening,
}: {
  profileId: string;
  listening: boolean;
}) {
  const bridge = useBridge();
  const [result, setResult] = useState<TestResult | undefined>();
  const test = useAction(async () => {
    setResult(undefined);
    setResult(await bridge.testConnection(profileId));
  });

  return (
    <div className="test-connection">
      <button
        type="button"
        className="button"
        disabled={!listening || test.pending}
        onClick={() => void test.run()}
      >
        {test.pending ? 'Testing…' : 'Test connection'}
      </button>
      <p
        className="test-result"
        role="status"
        data-ok={result === undefined ? undefined : String(result.ok)}
      >
        {result === undefined
          ? ''
          : result.ok
            ? `Connected: select 1 took ${formatDuration(result.roundTripMs)}, PostgreSQL ${result.serverVersion}.`
            : `Failed: ${result.error}`}
      </p>
    </div>
  );
}
