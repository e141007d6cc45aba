import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contrastRatio, readRgbaPng, type Rgba } from '../main/testing/png.js';

/**
 * The tray icons, read from assets/ as the tray shows them: the three states must be told apart
 * at a glance at 16 px, and the colour ones seen on light and dark taskbars alike.
 */
const ASSETS = fileURLToPath(new URL('../assets/', import.meta.url));
const STATES = ['idle', 'listening', 'error'] as const;
/** Taskbars and menu bars: white, Windows 11 light (#eeeeee), Windows 11 dark (#202020). */
const BACKGROUNDS = { white: [255, 255, 255], light: [238, 238, 238], dark: [32, 32, 32] };
/** WCAG 2.2, 1.4.11: graphics needed to understand something, at least 3:1. */
const NON_TEXT_CONTRAST = 3;

const icon = (name: string): Promise<Rgba> => readRgbaPng(join(ASSETS, name));

/** Share of pixels whose coverage differs by more than a quarter between two icons. */
function shapeDifference(a: Rgba, b: Rgba): number {
  let differing = 0;
  for (let i = 3; i < a.pixels.length; i += 4) {
    if (Math.abs(a.pixels[i]! - b.pixels[i]!) > 64) {
      differing++;
    }
  }
  return differing / (a.width * a.height);
}

/** The colours drawn at full coverage, each once. */
function solidColours(image: Rgba): number[][] {
  const seen = new Map<string, number[]>();
  for (let i = 0; i < image.pixels.length; i += 4) {
    if (image.pixels[i + 3] === 255) {
      const rgb = [...image.pixels.subarray(i, i + 3)];
      seen.set(rgb.join(), rgb);
    }
  }
  return [...seen.values()];
}

describe('the tray icons', () => {
  it('macOS template images differ by shape between states in at least a fifth of their pixels at 16 px', async () => {
    for (const [a, b] of [
      ['idle', 'listening'],
      ['listening', 'error'],
      ['idle', 'error'],
    ] as const) {
      const difference = shapeDifference(
        await icon(`tray-${a}Template.png`),
        await icon(`tray-${b}Template.png`),
      );
      expect(difference, `${a} vs ${b}`).toBeGreaterThanOrEqual(0.2);
    }
  });

  it('every colour drawn is at least 3:1 against white, light and dark taskbars, at 16 and 32 px', async () => {
    for (const state of STATES) {
      for (const file of [`tray-${state}.png`, `tray-${state}@2x.png`]) {
        for (const colour of solidColours(await icon(file))) {
          for (const [name, background] of Object.entries(BACKGROUNDS)) {
            expect(
              contrastRatio(colour, background),
              `${file} ${colour.join(',')} on ${name}`,
            ).toBeGreaterThanOrEqual(NON_TEXT_CONTRAST);
          }
        }
      }
    }
  });
});
