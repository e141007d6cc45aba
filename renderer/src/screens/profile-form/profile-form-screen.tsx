import { useEffect, useRef, useState, type FormEvent } from 'react';
import { DEFAULT_HOST, type ProfileErrors, type ProfileView } from '../../../../shared/profile.js';
import type { TunnelProblem } from '../../../../shared/tunnel-state.js';
import { useBridge } from '../../app/bridge-context.js';
import type { Navigate } from '../../app/route.js';
import { FormField } from '../../components/form-field.js';
import { ScreenHeader } from '../../components/screen-header.js';
import type { FormFocus } from '../../app/route.js';
import { ApiKeyField } from './api-key-field.js';
import { ConnectionFields } from './connection-fields.js';
import { AddFromField } from './add-from-field.js';
import { DirectFields } from './direct-fields.js';
import {
  ADVANCED_FIELDS,
  FIELD_ORDER,
  formKind,
  initialValues,
  withPasted,
  toProfileInput,
  validateForm,
  type FormMode,
  type ProfileField,
  type ProfileFormValues,
} from './profile-form-model.js';
import './profile-form-screen.css';

/**
 * Adds a tunnel or edits one. Fields are checked as they are left (and all of them on Save) with
 * the same rules the core applies; what the core still refuses comes back on the field it names.
 */
export function ProfileFormScreen({
  profile,
  focus,
  problem,
  platform,
  navigate,
}: {
  /** The profile being edited; absent when adding. */
  profile?: ProfileView;
  /** The field a fix button sent the user to. */
  focus?: FormFocus;
  /** The tunnel's current problem, repeated next to the field that fixes it. */
  problem?: TunnelProblem | null;
  /** The platform whose keychain will hold the secret (AppSnapshot.platform). */
  platform?: string | undefined;
  navigate: Navigate;
}) {
  const bridge = useBridge();
  const mode: FormMode = {
    kind: profile?.kind ?? 'tunnel',
    editing: profile !== undefined,
    ...(platform ? { platform } : {}),
  };
  const [values, setValues] = useState<ProfileFormValues>(() => {
    const initial = initialValues(profile);
    // Sent here because the port is taken: suggest a fixed one, to be typed in.
    return focus === 'port' ? { ...initial, portMode: 'fixed', port: '' } : initial;
  });
  /** Client settings of the pasted database URL, which PG Tunnel leaves to each client. */
  const [ignored, setIgnored] = useState<readonly string[]>([]);
  const [touched, setTouched] = useState<ReadonlySet<ProfileField>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<ProfileErrors>({});
  const [formError, setFormError] = useState<string | undefined>();
  /** The keychain could not save the secret: the owner-only file is offered, for one click. */
  const [offerFile, setOfferFile] = useState(false);
  const [saving, setSaving] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(
    () => focus === 'port' || (profile !== undefined && profile.host !== DEFAULT_HOST),
  );
  const form = useRef<HTMLFormElement>(null);
  const edited = useRef(new Set<ProfileField>());

  const kind = formKind(values, mode);
  const checked = validateForm(values, mode);
  const errorOf = (field: ProfileField): string | undefined =>
    (serverErrors as Record<string, string | undefined>)[field] ??
    (submitted || touched.has(field)
      ? (checked as Record<string, string | undefined>)[field]
      : undefined);

  /** Focuses a field, opening "Advanced" first when the field is in there. */
  const focusField = (field: string): void => {
    if (ADVANCED_FIELDS.has(field)) {
      setAdvancedOpen(true);
    }
    // After the disclosure has opened.
    requestAnimationFrame(() => focusControl(form.current, field));
  };

  useEffect(() => {
    // When the screen opens; "Advanced" starts open when the field is in there. A field the user
    // already clicked into keeps the focus.
    const frame = requestAnimationFrame(() => {
      if (!form.current?.contains(document.activeElement)) {
        focusControl(form.current, focus ?? 'name');
      }
    });
    return () => cancelAnimationFrame(frame);
  }, [focus]);

  const change = <K extends ProfileField>(field: K, value: ProfileFormValues[K]): void => {
    if (field === 'apiKey' && !mode.editing) {
      // A pasted database URL fills the direct fields (each may then be edited).
      const pasted = withPasted(values, value as string);
      setValues(pasted.values);
      setIgnored(pasted.ignored);
    } else {
      setValues((current) => ({ ...current, [field]: value }));
    }
    edited.current.add(field);
    setServerErrors(({ [field]: _dropped, ...rest }) => rest);
    setFormError(undefined);
    setOfferFile(false);
  };
  // A field is checked when left after an edit: tabbing through (or clicking past) an empty field
  // does not make an error appear, and move what is under the pointer, before Save.
  const leave = (field: ProfileField): void => {
    if (edited.current.has(field)) {
      setTouched((current) => (current.has(field) ? current : new Set(current).add(field)));
    }
  };

  /** Saves; `secretInFile`: the user chose the owner-only file for the secret (never by default). */
  const submit = async (event: FormEvent, secretInFile = false): Promise<void> => {
    event.preventDefault();
    setSubmitted(true);
    const firstInvalid = FIELD_ORDER.find((field) => field in checked);
    if (firstInvalid) {
      focusField(firstInvalid);
      return;
    }
    setSaving(true);
    try {
      const input = { ...toProfileInput(values, mode), ...(secretInFile ? { secretInFile } : {}) };
      const saved = profile
        ? await bridge.updateProfile(profile.id, input)
        : await bridge.addProfile(input);
      navigate({ screen: 'detail', profileId: saved.id });
    } catch (error) {
      const field = (error as { field?: string }).field;
      const message = (error as Error).message;
      if (field && (FIELD_ORDER as readonly string[]).includes(field)) {
        setServerErrors({ [field]: message });
        focusField(field);
      } else {
        setFormError(message);
        setOfferFile(field === 'secretInFile');
      }
    } finally {
      setSaving(false);
    }
  };

  const back = (): void =>
    navigate(profile ? { screen: 'detail', profileId: profile.id } : { screen: 'tunnels' });

  return (
    <section className="screen">
      <ScreenHeader
        title={profile ? `Edit ${profile.name}` : 'Add a tunnel'}
        onBack={back}
        focusTitle={false}
      />
      <form
        ref={form}
        className="screen-body profile-form"
        noValidate
        onSubmit={(e) => void submit(e)}
        onBlur={(e) => {
          const name = (e.target as Element).getAttribute('name') ?? '';
          if ((FIELD_ORDER as readonly string[]).includes(name)) {
            leave(name as ProfileField);
          }
        }}
      >
        <FormField label="Name" error={errorOf('name')}>
          {(control) => (
            <input
              {...control}
              name="name"
              className="input"
              value={values.name}
              autoComplete="off"
              maxLength={200}
              onChange={(e) => change('name', e.target.value)}
            />
          )}
        </FormField>

        {kind === 'playground' ? (
          <p className="form-note">
            The playground’s key is made and kept by PG Tunnel; its database lives on this machine.
          </p>
        ) : (
          (!mode.editing || kind === 'tunnel') && (
            <>
              {!mode.editing && (
                <AddFromField
                  onPick={(source) => {
                    change('apiKey', source.connection);
                    setValues((current) => ({
                      ...current,
                      passwordFrom: source.hasPassword ? source.id : '',
                    }));
                  }}
                />
              )}
              <ApiKeyField
                value={values.apiKey}
                mask={profile?.secretMask ?? null}
                editing={mode.editing}
                error={errorOf('apiKey')}
                problem={focus === 'apiKey' ? problem?.message : undefined}
                onChange={(value) => change('apiKey', value)}
              />
            </>
          )
        )}

        {kind === 'direct' && (mode.editing || checked.apiKey === undefined) && (
          <DirectFields
            values={values}
            passwordMask={profile?.secretMask ?? null}
            editing={mode.editing}
            ignored={ignored}
            errorOf={errorOf}
            passwordProblem={focus === 'password' ? problem?.message : undefined}
            onChange={(field, value) => change(field, value as ProfileFormValues[typeof field])}
          />
        )}

        <label className="checkbox-row">
          <input
            type="checkbox"
            name="autoStart"
            checked={values.autoStart}
            onChange={(e) => change('autoStart', e.target.checked)}
          />
          <span>Start this tunnel when PG Tunnel starts</span>
        </label>

        <details
          className="advanced"
          open={advancedOpen}
          onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}
        >
          <summary>Advanced</summary>
          <div className="advanced-fields">
            <ConnectionFields
              values={values}
              kind={kind}
              errorOf={errorOf}
              portProblem={focus === 'port' ? problem?.message : undefined}
              onChange={change}
            />
          </div>
        </details>

        <p className="form-error form-level" role="alert" hidden={!formError}>
          {formError}
        </p>
        {offerFile && (
          <div className="form-note secret-file-offer">
            <p>
              Without a keychain, PG Tunnel can keep this secret in a file only your user can read
              (secrets.json in its config directory), not encrypted.
            </p>
            <button
              type="button"
              className="button"
              disabled={saving}
              onClick={(e) => void submit(e, true)}
            >
              Keep it in a file instead
            </button>
          </div>
        )}

        <div className="form-actions">
          <button type="button" className="button" onClick={back}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Saving…' : profile ? 'Save' : 'Add tunnel'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** Focuses a form control by its name (the first of a radio group). */
function focusControl(form: HTMLFormElement | null, name: string): void {
  const item = form?.elements.namedItem(name);
  const control = item instanceof RadioNodeList ? item[0] : item;
  if (control instanceof HTMLElement) {
    control.focus();
  }
}
