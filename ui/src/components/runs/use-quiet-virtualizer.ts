import { elementScroll, observeElementOffset, observeElementRect, Virtualizer, type VirtualizerOptions } from '@tanstack/react-virtual';
import { useLayoutEffect, useReducer, useRef, useState } from 'react';

export interface QuietVirtualizerOptions {
  count: number;
  getScrollElement(): HTMLElement | null;
  estimateSize(index: number): number;
  /**
   * Items drawn past the view on the side it scrolls towards, and on the side it leaves; at rest, `ahead` on
   * both. Each drawn item is work in every frame, and the ones behind a moving view are never seen.
   */
  overscan: { ahead: number; behind: number };
  /** Draws the items now in view, outside React: at the animation frame after each change of the range. */
  draw(v: Virtualizer<HTMLElement, Element>): void;
  /**
   * What React renders from the range, as a key: the component re-renders only
   * when it changes (the runs table: the windows of runs to fetch).
   */
  renderKey(v: Virtualizer<HTMLElement, Element>): string;
}

/**
 * TanStack Virtual's virtualizer, without the React render on every change of
 * its range: `useVirtualizer` re-renders the component each scrolled frame,
 * here the range is drawn by `draw` and the component re-renders only when
 * `renderKey` changes. For a list whose items are drawn outside React
 * (row-pool.ts), where a render per frame was a third of a frame's script.
 */
export function useQuietVirtualizer({ draw, renderKey, overscan, ...options }: QuietVirtualizerOptions): Virtualizer<HTMLElement, Element> {
  const rerender = useReducer((x: number) => x + 1, 0)[1];
  const latest = useRef({ draw, renderKey });
  latest.current = { draw, renderKey };
  const rendered = useRef<string | undefined>(undefined);
  const frame = useRef(0);
  const self = useRef<Virtualizer<HTMLElement, Element> | null>(null);
  const resolved: VirtualizerOptions<HTMLElement, Element> = {
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    ...options,
    overscan: 0,
    rangeExtractor: ({ startIndex, endIndex, count }) => {
      const direction = self.current?.scrollDirection;
      const before = direction === 'forward' ? overscan.behind : overscan.ahead;
      const after = direction === 'backward' ? overscan.behind : overscan.ahead;
      const first = Math.max(0, startIndex - before);
      const last = Math.min(count - 1, endIndex + after);
      return Array.from({ length: last - first + 1 }, (_, i) => first + i);
    },
    onChange: (v) => {
      // Drawn at the frame's animation callbacks, after every scroll listener has read its offset: a draw inside
      // this listener dirtied layout that the next listener (the columns' virtualizer) then forced, ~2 ms a frame.
      if (!frame.current) {
        frame.current = requestAnimationFrame(() => {
          frame.current = 0;
          latest.current.draw(v);
        });
      }
      const key = latest.current.renderKey(v);
      if (key !== rendered.current) {
        rendered.current = key;
        rerender();
      }
    },
  };
  const [instance] = useState(() => new Virtualizer<HTMLElement, Element>(resolved));
  self.current = instance;
  instance.setOptions(resolved);
  useLayoutEffect(() => {
    const unmount = instance._didMount();
    return () => {
      cancelAnimationFrame(frame.current);
      frame.current = 0;
      unmount();
    };
  }, [instance]);
  useLayoutEffect(() => instance._willUpdate());
  // What this render showed: a change of range that keeps the key needs no render.
  rendered.current = renderKey(instance);
  return instance;
}
