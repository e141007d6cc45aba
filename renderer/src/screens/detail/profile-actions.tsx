import { useEffect, useRef, useState } from 'react';
import type { ProfileView } from '../../../../shared/profile.js';
import { useBridge } from '../../app/bridge-context.js';
import type { Navigate } from '../../app/route.js';
import { useAction } from '../../hooks/use-action.js';

/** Edit, duplicate and delete; delete asks once more, in place, before it removes the key too. */
export function ProfileActions({
  profile,
  navigate,
}: {
  profile: ProfileView;
  navigate: Navigate;
}) {
  const bridge = useBridge();
  const [confirming, setConfirming] = useState(false);
  // The button that was clicked goes away: keep the keyboard focus on the matching one.
  const cancelButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (confirming) {
      asked.current = true;
      cancelButton.current?.focus();
    } else if (asked.current) {
      deleteButton.current?.focus();
    }
  }, [confirming]);
  const duplicate = useAction(async () => {
    const copy = await bridge.duplicateProfile(profile.id);
    navigate({ screen: 'detail', profileId: copy.id });
  });
  const remove = useAction(async () => {
    await bridge.deleteProfile(profile.id);
    navigate({ screen: 'tunnels' });
  });

  if (confirming) {
    return (
      <div className="profile-actions" role="group" aria-label="Confirm deletion">
        <p className="profile-actions-question">
          Delete “{profile.name}” and its saved {profile.kind === 'direct' ? 'password' : 'key'}?
        </p>
        <button
          type="button"
          className="button button-danger"
          disabled={remove.pending}
          onClick={() => void remove.run()}
        >
          Delete
        </button>
        <button
          type="button"
          className="button"
          ref={cancelButton}
          onClick={() => setConfirming(false)}
        >
          Cancel
        </button>
      </div>
    );
  }

  return (
    <div className="profile-actions">
      <button
        type="button"
        className="button"
        onClick={() => navigate({ screen: 'form', profileId: profile.id })}
      >
        Edit
      </button>
      {profile.kind !== 'playground' && (
        <button
          type="button"
          className="button"
          disabled={duplicate.pending}
          onClick={() => void duplicate.run()}
        >
          Duplicate
        </button>
      )}
      <button
        type="button"
        className="button button-danger"
        ref={deleteButton}
        onClick={() => setConfirming(true)}
      >
        Delete…
      </button>
    </div>
  );
}
