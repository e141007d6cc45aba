import { useBridge } from '../../app/bridge-context.js';
import { useAction } from '../../hooks/use-action.js';

/**
 * "Open in…": the tunnel's postgres:// URL handed to the program the OS opens such URLs with
 * (Postico, TablePlus, DBeaver…). The tray app asks the OS itself; a browser window (`pg-tunnel
 * ui`) shows the URL as a link, which the browser offers to that program, and which can be copied.
 */
export function OpenIn({ url }: { url: string }) {
  const { desktop } = useBridge();
  const open = useAction((target: string) =>
    desktop ? desktop.openExternal(target) : Promise.resolve(),
  );
  return (
    <div className="copy-field open-in" data-layout="block">
      <span className="copy-field-label">Open in…</span>
      {desktop ? (
        <button
          type="button"
          className="button button-small"
          disabled={open.pending}
          onClick={() => void open.run(url)}
        >
          Open in your Postgres app
        </button>
      ) : (
        <a className="copy-field-value open-in-link" href={url} title="Open in your Postgres app">
          {url}
        </a>
      )}
    </div>
  );
}
