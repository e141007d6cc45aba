import { useNotices } from '../app/notices.js';
import './notice-bar.css';

/** The last command failure that no form shows, until dismissed. */
export function NoticeBar() {
  const { notice, dismiss } = useNotices();
  return (
    <div className="notice-region" role="alert">
      {notice && (
        <div className="notice-bar">
          <p className="notice-text">{notice}</p>
          <button type="button" className="button button-small" onClick={dismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
