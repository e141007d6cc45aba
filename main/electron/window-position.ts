/** A rectangle in screen coordinates, as Electron gives them. */
export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Gap between the tray icon (or the screen edge) and the window. */
const MARGIN = 8;

/**
 * Where the tray window goes: next to the tray icon, on the side of the screen the taskbar is on,
 * and never off the work area. `trayBounds` may be all zeros (some Linux trays do not say): then the
 * window goes to the corner nearest the usual tray place for the platform.
 */
export function windowPosition(
  trayBounds: Bounds,
  windowSize: { width: number; height: number },
  workArea: Bounds,
  platform: NodeJS.Platform,
): { x: number; y: number } {
  const known = trayBounds.width > 0 && trayBounds.height > 0;
  const trayCenterX = known ? trayBounds.x + trayBounds.width / 2 : workArea.x + workArea.width;
  const trayCenterY = known
    ? trayBounds.y + trayBounds.height / 2
    : platform === 'darwin'
      ? workArea.y
      : workArea.y + workArea.height;

  let x = Math.round(trayCenterX - windowSize.width / 2);
  let y: number;
  const screenMiddleY = workArea.y + workArea.height / 2;
  if (known && (trayCenterX < workArea.x || trayCenterX > workArea.x + workArea.width)) {
    // Taskbar on the left or right: beside the icon, vertically centred on it.
    x =
      trayCenterX < workArea.x
        ? workArea.x + MARGIN
        : workArea.x + workArea.width - windowSize.width - MARGIN;
    y = Math.round(trayCenterY - windowSize.height / 2);
  } else if (trayCenterY < screenMiddleY) {
    y = workArea.y + MARGIN; // menu bar or taskbar at the top: hang below it
  } else {
    y = workArea.y + workArea.height - windowSize.height - MARGIN; // taskbar at the bottom: sit above it
  }
  return {
    x: clamp(x, workArea.x + MARGIN, workArea.x + workArea.width - windowSize.width - MARGIN),
    y: clamp(y, workArea.y + MARGIN, workArea.y + workArea.height - windowSize.height - MARGIN),
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(value, Math.max(min, max)));
}
