// Draws the tray and app icons into assets/ (run: node scripts/make-icons.mjs). A database
// cylinder, told apart by shape as well as colour (colour is never the only sign): idle is an
// outline with no badge, listening is solid with a dot, error is solid with a large crossed-out
// disc. macOS tray icons are template images (black and alpha: the OS tints them); the others are
// colour, each at least 3:1 against a white, a light grey (#eeeeee) and a dark (#202020) taskbar
// (WCAG 2.2, 1.4.11 non-text contrast; main/electron/tray-icons.test.ts measures it).
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SUPERSAMPLE = 4;
const COLORS = {
  body: [64, 128, 204], // a lighter Postgres blue: Postgres's own #336791 is 2.7:1 on a dark taskbar
  idle: [120, 126, 138],
  listening: [21, 150, 70],
  error: [230, 50, 50],
};
/** The idle outline's width, as a share of the icon. */
const STROKE = 0.11;

function inEllipse(x, y, cx, cy, rx, ry) {
  return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
}

/** Whether a point is inside the cylinder's silhouette, shrunk by `inset`. */
function inCylinder(x, y, inset) {
  const left = 0.12 + inset;
  const right = 0.72 - inset;
  const cx = (left + right) / 2;
  const rx = (right - left) / 2;
  const ry = 0.1 - inset / 3;
  const top = 0.14 + inset;
  const bottom = 0.86 - inset;
  return (
    (x >= left && x <= right && y >= top && y <= bottom) ||
    inEllipse(x, y, cx, top, rx, ry) ||
    inEllipse(x, y, cx, bottom, rx, ry)
  );
}

/**
 * Coverage of the cylinder at a point of the unit square: solid with two bands left empty to read
 * as disks, or (`hollow`, idle) its outline only.
 */
function cylinder(x, y, hollow) {
  if (!inCylinder(x, y, 0)) {
    return false;
  }
  if (hollow) {
    return !inCylinder(x, y, STROKE);
  }
  const left = 0.12;
  const right = 0.72;
  const cx = (left + right) / 2;
  const rx = (right - left) / 2;
  const ry = 0.1;
  // Two bands: the lower edge of a disk, drawn as thin gaps.
  for (const band of [0.4, 0.62]) {
    const edge = band + ry * Math.sqrt(Math.max(0, 1 - ((x - cx) / rx) ** 2));
    if (Math.abs(y - edge) < 0.035) {
      return false;
    }
  }
  return true;
}

function badge(x, y, state) {
  if (state === 'idle') {
    return null;
  }
  const cx = 0.72;
  const cy = 0.72;
  const r = state === 'error' ? 0.28 : 0.22;
  const d = Math.hypot(x - cx, y - cy);
  if (d > r + 0.07) {
    return null;
  }
  if (d > r) {
    return 'gap'; // a clear ring separates the badge from the cylinder
  }
  // Error: an × knocked out of the disc, two bars along the diagonals.
  const u = (x - cx + (y - cy)) / Math.SQRT2;
  const v = (x - cx - (y - cy)) / Math.SQRT2;
  const arm = r * 0.62;
  const half = 0.055;
  if (
    state === 'error' &&
    ((Math.abs(u) < half && Math.abs(v) < arm) || (Math.abs(v) < half && Math.abs(u) < arm))
  ) {
    return 'gap';
  }
  return 'badge';
}

function render(size, state, template) {
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let cover = [0, 0, 0];
      const color = [0, 0, 0];
      let alpha = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLE) / size;
          const y = (py + (sy + 0.5) / SUPERSAMPLE) / size;
          const b = badge(x, y, state);
          let rgb = null;
          if (b === 'badge') {
            rgb = template ? [0, 0, 0] : COLORS[state];
          } else if (b === null && cylinder(x, y, state === 'idle')) {
            rgb = template ? [0, 0, 0] : state === 'idle' ? COLORS.idle : COLORS.body;
          }
          if (rgb) {
            alpha++;
            cover = cover.map((c, i) => c + rgb[i]);
          }
        }
      }
      const i = (py * size + px) * 4;
      if (alpha > 0) {
        for (let c = 0; c < 3; c++) {
          color[c] = Math.round(cover[c] / alpha);
        }
      }
      pixels.set([...color, Math.round((alpha / SUPERSAMPLE ** 2) * 255)], i);
    }
  }
  return png(size, pixels);
}

function png(size, rgba) {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(data) {
  let crc = ~0;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) {
      crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
  }
  return ~crc >>> 0;
}

for (const state of ['idle', 'listening', 'error']) {
  writeFileSync(`assets/tray-${state}Template.png`, render(16, state, true));
  writeFileSync(`assets/tray-${state}Template@2x.png`, render(32, state, true));
  writeFileSync(`assets/tray-${state}.png`, render(16, state, false));
  writeFileSync(`assets/tray-${state}@2x.png`, render(32, state, false));
}
writeFileSync('assets/icon.png', render(512, 'listening', false));
