import { describe, expect, it } from 'vitest';
import { windowPosition, type Bounds } from './window-position.js';

const size = { width: 380, height: 560 };
const screen: Bounds = { x: 0, y: 25, width: 1440, height: 875 }; // below a macOS menu bar

const inside = ({ x, y }: { x: number; y: number }, area: Bounds): boolean =>
  x >= area.x &&
  y >= area.y &&
  x + size.width <= area.x + area.width &&
  y + size.height <= area.y + area.height;

describe('windowPosition', () => {
  it('macOS: hangs below a menu-bar icon, centred on it', () => {
    const tray = { x: 1000, y: 0, width: 22, height: 24 };
    expect(windowPosition(tray, size, screen, 'darwin')).toEqual({ x: 1011 - 190, y: 33 });
  });

  it('Windows: sits above a taskbar icon at the bottom, pulled in from the screen edge', () => {
    const work: Bounds = { x: 0, y: 0, width: 1920, height: 1040 };
    const tray = { x: 1880, y: 1045, width: 24, height: 30 };
    const position = windowPosition(tray, size, work, 'win32');
    expect(position).toEqual({ x: 1920 - 380 - 8, y: 1040 - 560 - 8 });
  });

  it('taskbar on the left or right: beside the icon', () => {
    const work: Bounds = { x: 60, y: 0, width: 1860, height: 1080 };
    const left = windowPosition({ x: 10, y: 900, width: 40, height: 40 }, size, work, 'win32');
    expect(left.x).toBe(68);
    const rightWork: Bounds = { x: 0, y: 0, width: 1860, height: 1080 };
    const right = windowPosition(
      { x: 1870, y: 300, width: 40, height: 40 },
      size,
      rightWork,
      'win32',
    );
    expect(right.x).toBe(1860 - 380 - 8);
    expect(right.y).toBe(320 - 280);
  });

  it('a tray that does not tell its bounds (some Linux desktops): a corner of the work area', () => {
    const work: Bounds = { x: 0, y: 27, width: 1366, height: 741 };
    const position = windowPosition({ x: 0, y: 0, width: 0, height: 0 }, size, work, 'linux');
    expect(inside(position, work)).toBe(true);
    expect(position.x).toBe(1366 - 380 - 8);
  });

  it('never leaves the work area, wherever the icon is', () => {
    for (let x = -50; x <= 1500; x += 37) {
      for (const y of [0, 400, 880]) {
        const position = windowPosition({ x, y, width: 22, height: 22 }, size, screen, 'linux');
        expect(inside(position, screen), `tray at ${x},${y}`).toBe(true);
      }
    }
  });
});
