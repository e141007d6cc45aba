import { useEffect, useRef, type ReactNode } from 'react';
import { BackIcon } from './icons.js';
import './screen-header.css';

/**
 * The top bar of a screen: a back button (when there is somewhere to go back to), the title, and
 * actions. The title takes the focus when the screen opens, so keyboard and screen-reader users
 * start at the top of the new screen.
 */
export function ScreenHeader({
  title,
  onBack,
  children,
  focusTitle = true,
}: {
  title: ReactNode;
  onBack?: () => void;
  children?: ReactNode;
  focusTitle?: boolean;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusTitle) {
      heading.current?.focus({ preventScroll: true });
    }
  }, [focusTitle]);

  return (
    <header className="screen-header">
      {onBack && (
        <button type="button" className="icon-button" onClick={onBack} aria-label="Back">
          <BackIcon />
        </button>
      )}
      <h1
        className="screen-title"
        tabIndex={-1}
        ref={heading}
        title={typeof title === 'string' ? title : undefined}
      >
        {title}
      </h1>
      {children && <div className="screen-actions">{children}</div>}
    </header>
  );
}
