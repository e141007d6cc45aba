// Draws the tray and app icons into assets/ (run: node scripts/make-icons.mjs). A database
// cylinder, plus a badge for the state: none (idle), a dot (listening), a bar-crossed dot (error).
// macOS tray icons are template images (black and alpha: the OS tints them); the others are colour.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SUPERSAMPLE = 4;
const COLORS = {
  body: [51, 103, 145], // Postgres blue
  idle: [107, 114, 128],
  listening: [22, 163, 74],
  error: [220, 38, 38],
};

function inEllipse(x, y, cx, cy, rx, ry) {
  return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
}

/** Coverage of the cylinder at a point of the unit square; bands are left empty to read as disks. */
function cylinder(x, y) {
  const left = 0.16;
  const right = 0.72;
  const cx = (left + right) / 2;
  const rx = (right - left) / 2;
  const ry = 0.1;
  const top = 0.16;
  const bottom = 0.84;
  const inBody =
    (x >= left && x <= right && y >= top && y <= bottom) ||
    inEllipse(x, y, cx, top, rx, ry) ||
    inEllipse(x, y, cx, bottom, rx, ry);
  if (!inBody) {
    return false;
  }
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
  const cx = 0.76;
  const cy = 0.76;
  const r = 0.22;
  const d = Math.hypot(x - cx, y - cy);
  if (d > r + 0.06) {
    return null;
  }
  if (d > r) {
    return 'gap';
  } // a clear ring separates the badge from the cylinder
  if (state === 'error' && Math.abs(y - cy) < 0.05 && Math.abs(x - cx) < r * 0.65) {
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
          } else if (b === null && cylinder(x, y)) {
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
