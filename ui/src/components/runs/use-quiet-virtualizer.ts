import { elementScroll, observeElementOffset, observeElementRect, Virtualizer, type VirtualizerOptions } from '@tanstack/react-virtual';
import { useLayoutEffect, useReducer, useRef, useState } from 'react';

export interface QuietVirtualizerOptions {
  count: number;
  getScrollElement(): HTMLElement | null;
  estimateSize(index: number): number;
  overscan: number;
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
export function useQuietVirtualizer({ draw, renderKey, ...options }: QuietVirtualizerOptions): Virtualizer<HTMLElement, Element> {
  const rerender = useReducer((x: number) => x + 1, 0)[1];
  const latest = useRef({ draw, renderKey });
  latest.current = { draw, renderKey };
  const rendered = useRef<string | undefined>(undefined);
  const frame = useRef(0);
  const resolved: VirtualizerOptions<HTMLElement, Element> = {
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    ...options,
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
