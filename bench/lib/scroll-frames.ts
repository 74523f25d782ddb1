import type { Page } from 'playwright-core';

/** Scrolls `selector` by `step` px each frame for `ms`, then returns every frame's duration. */
export async function scrollFrames(page: Page, selector: string, step: number, ms: number): Promise<number[]> {
  // A string: this runs in the page, which the Node typings know nothing of.
  return page.evaluate<number[]>(`new Promise((resolve) => {
    const el = document.querySelector(${JSON.stringify(selector)});
    const frames = [];
    let last = performance.now();
    const start = last;
    let dir = 1;
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) dir = -1;
      else if (el.scrollTop <= 0) dir = 1;
      el.scrollTop += dir * ${step};
      if (now - start < ${ms}) requestAnimationFrame(tick);
      else resolve(frames.slice(2));
    };
    requestAnimationFrame(tick);
  })`);
}
