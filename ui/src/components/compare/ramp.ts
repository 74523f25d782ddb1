/**
 * The colour scale of metric values: a stretch of viridis, which is
 * colour-blind safe and rises evenly in lightness. Each theme uses only the
 * stretch that keeps 3:1 contrast against its background (WCAG non-text
 * contrast): the dark end vanishes on a dark page and the yellow end on a
 * white one. compare.css sets the stretch per theme as `--ramp-from` and
 * `--ramp-to`, so the canvas follows the theme like the rest of the page.
 */

/** Viridis at 0, 0.1, …, 1. */
const VIRIDIS = [
  [68, 1, 84],
  [72, 36, 117],
  [65, 68, 135],
  [53, 95, 141],
  [42, 120, 142],
  [33, 145, 140],
  [34, 168, 132],
  [68, 191, 112],
  [122, 209, 81],
  [189, 223, 38],
  [253, 231, 37],
] as const;

export interface Ramp {
  /** Where on viridis the lowest value sits, 0 to 1. */
  from: number;
  /** Where the highest sits. */
  to: number;
}

/** Viridis at `t` in [0, 1]. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const c = VIRIDIS[i]!.map((a, k) => Math.round(a + (VIRIDIS[i + 1]![k]! - a) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** The colour of a value at `t` in [0, 1] (low to high) on the theme's stretch of viridis. */
export function rampColor(ramp: Ramp, t: number): string {
  return viridis(ramp.from + (ramp.to - ramp.from) * Math.min(1, Math.max(0, t)));
}

/** A CSS gradient of the ramp, for its legend. */
export function rampGradient(ramp: Ramp): string {
  return `linear-gradient(to right, ${Array.from({ length: 6 }, (_, i) => rampColor(ramp, i / 5)).join(', ')})`;
}

/** The current theme's stretch, read from compare.css's variables (light's when they are missing). */
export function readRamp(el: Element = document.documentElement): Ramp {
  const style = getComputedStyle(el);
  const num = (name: string, fallback: number) => {
    const n = Number.parseFloat(style.getPropertyValue(name));
    return Number.isFinite(n) ? n : fallback;
  };
  return { from: num('--ramp-from', 0), to: num('--ramp-to', 0.55) };
}

/** A CSS variable of the current theme, for what a canvas paints. */
export function cssVar(name: string, fallback: string, el: Element = document.documentElement): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}
