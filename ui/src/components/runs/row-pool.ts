/**
 * The runs table's body rows, drawn into DOM elements that are kept and
 * reused as the view moves, without React. Fast scrolling brings a dozen new
 * rows a frame; built by React each is ~15 new elements to create, style and
 * attach. Here a row scrolled out hands its elements to a row scrolling in,
 * which changes only its text and its place, so the browser restyles nothing
 * and lays out only the rows that changed.
 *
 * The elements and attributes are those a table needs for assistive
 * technology (role, aria-rowindex, aria-colindex, aria-selected, labelled
 * checkboxes and expanders). Rows are reordered in the DOM by index once the
 * view rests (moving an element detaches it, which costs what recycling
 * saves), and a row holding focus is never reused or moved.
 */
import { formatDuration, formatTime, formatValue, runLabel } from '../../format';
import { cellValue, FIXED, GIT_COMMIT_TAG, PARENT_RUN_TAG, ROW_HEIGHT, type KeyColumn } from './run-columns';
import type { RunTableRow } from './runs-table-api';

/** One row the view wants drawn. */
export interface PoolRow {
  index: number;
  /** Absent while the run's window loads: the row is a placeholder. */
  run?: RunTableRow;
  /** Grouped view: 0 for a top-level run, 1 for a child under its parent; absent when not grouped. */
  depth?: 0 | 1;
  /** Grouped view, top-level run: whether its children are shown. */
  expanded?: boolean;
  selected: boolean;
  cursor: boolean;
}

/** The key columns in view (indexes into keyColumns, inclusive). */
export interface PoolColumns {
  keyColumns: KeyColumn[];
  firstCol: number;
  lastCol: number;
}

export interface PoolActions {
  /** A click on a run's link; the handler decides whether the browser follows the href. */
  open(e: MouseEvent, runId: string): void;
  toggle(runId: string): void;
  expand(runId: string, index: number): void;
}

/** Cells holding plain text: drawn as one element with one text node. */
const TEXT_CELLS = new Set(['start', 'duration', 'user', 'status']);
/** A view rests once it has not moved for this long; then the rows are put in DOM order. */
const REST_MS = 120;

type NameShape = 'link' | 'child' | 'expander' | 'parent';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, attrs?: Record<string, string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (attrs) for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function textCell(className: string, colIndex: number): { td: HTMLTableCellElement; text: Text } {
  const td = el('td', className, { role: 'cell', 'aria-colindex': String(colIndex) });
  const text = document.createTextNode('');
  td.append(text);
  return { td, text };
}

/** Sets an attribute only when it changes: a write of the same value still costs a style invalidation check. */
function attr(e: Element, name: string, value: string | undefined) {
  if (value === undefined) {
    if (e.hasAttribute(name)) e.removeAttribute(name);
  } else if (e.getAttribute(name) !== value) e.setAttribute(name, value);
}

function setText(t: Text, s: string) {
  if (t.data !== s) t.data = s;
}

/** A drawn row: its elements and what they show, so an unchanged row is skipped and a changed one edits only what differs. */
abstract class DrawnRow {
  index = -1;
  constructor(readonly tr: HTMLTableRowElement) {}
  place(index: number) {
    if (index === this.index) return;
    this.index = index;
    this.tr.style.top = `${index * ROW_HEIGHT}px`;
    this.tr.setAttribute('aria-rowindex', String(index + 2));
  }
}

class PlaceholderRow extends DrawnRow {
  readonly kind = 'placeholder';
  constructor() {
    const tr = el('tr', 'placeholder', { role: 'row', 'aria-busy': 'true' });
    const td = el('td', 'vcell c-placeholder', { role: 'cell', 'aria-colindex': '2' });
    const sr = el('span', 'sr-only');
    sr.textContent = 'Loading run';
    td.append(el('span', 'skeleton', { 'aria-hidden': 'true' }), sr);
    tr.append(td);
    super(tr);
  }
}

class RunRowEl extends DrawnRow {
  readonly kind = 'run';
  run?: RunTableRow;
  private state = '';
  private columns?: PoolColumns;
  private readonly checkbox: HTMLInputElement;
  private readonly nameCell: HTMLTableCellElement;
  private nameShape?: NameShape;
  private link!: HTMLAnchorElement;
  private readonly status: { td: HTMLTableCellElement; text: Text };
  private readonly texts: Record<'user' | 'start' | 'duration', Text>;
  private readonly commitCell: HTMLTableCellElement;
  private commit?: string;
  private readonly keyCells: Array<{ td: HTMLTableCellElement; text: Text }> = [];

  constructor() {
    const tr = el('tr', undefined, { role: 'row' });
    super(tr);
    const cells: HTMLTableCellElement[] = [];
    let checkbox: HTMLInputElement | undefined;
    let nameCell: HTMLTableCellElement | undefined;
    let commitCell: HTMLTableCellElement | undefined;
    let status: { td: HTMLTableCellElement; text: Text } | undefined;
    const texts: Partial<Record<string, Text>> = {};
    FIXED.forEach((c, i) => {
      if (TEXT_CELLS.has(c.id)) {
        const cell = textCell(`vcell vtext c-${c.id}`, i + 1);
        if (c.id === 'status') status = cell;
        else texts[c.id] = cell.text;
        cells.push(cell.td);
        return;
      }
      const td = el('td', `vcell c-${c.id}`, { role: 'cell', 'aria-colindex': String(i + 1) });
      if (c.id === 'select') {
        checkbox = el('input');
        checkbox.type = 'checkbox';
        td.append(checkbox);
      } else if (c.id === 'name') nameCell = td;
      else commitCell = td;
      cells.push(td);
    });
    tr.append(...cells);
    this.checkbox = checkbox!;
    this.nameCell = nameCell!;
    this.commitCell = commitCell!;
    this.status = status!;
    this.texts = texts as Record<'user' | 'start' | 'duration', Text>;
  }

  draw(row: PoolRow, columns: PoolColumns) {
    const run = row.run!;
    const state = `${row.selected ? 1 : 0}${row.cursor ? 1 : 0}${row.depth ?? '-'}${row.expanded ? 1 : 0}`;
    if (run !== this.run || state !== this.state) {
      this.drawFixed(row, run);
      this.run = run;
      this.state = state;
      this.columns = undefined;
    }
    if (columns !== this.columns) {
      this.drawKeys(run, columns);
      this.columns = columns;
    }
  }

  private drawFixed(row: PoolRow, run: RunTableRow) {
    const tr = this.tr;
    const className = [row.selected ? 'selected' : '', row.cursor ? 'cursor' : '', row.depth === 1 ? 'child-run' : ''].join(' ').trim();
    if (tr.className !== className) tr.className = className;
    attr(tr, 'aria-selected', String(row.selected));
    const label = runLabel(run.info);
    if (this.checkbox.checked !== row.selected) this.checkbox.checked = row.selected;
    attr(this.checkbox, 'aria-label', `Select run ${label}`);
    this.drawName(row, run, label);
    const statusClass = `vcell vtext c-status status status-${run.info.status.toLowerCase()}`;
    if (this.status.td.className !== statusClass) this.status.td.className = statusClass;
    setText(this.status.text, run.info.status);
    setText(this.texts.user, run.info.user_id ?? '');
    setText(this.texts.start, formatTime(run.info.start_time));
    setText(this.texts.duration, formatDuration(run.info.start_time, run.info.end_time, run.info.status));
    const commit = run.tags[GIT_COMMIT_TAG];
    if (commit !== this.commit) {
      this.commit = commit;
      if (commit) {
        const abbr = el('abbr', 'mono commit', { title: commit });
        abbr.textContent = commit.slice(0, 8);
        this.commitCell.replaceChildren(abbr);
      } else this.commitCell.replaceChildren();
    }
  }

  /** The run cell: a link, led by an expander (a parent, grouped), an arrow (a child, grouped) or a parent mark (a child, not grouped). */
  private drawName(row: PoolRow, run: RunTableRow, name: string) {
    const children = run.child_count ?? 0;
    const parent = run.tags[PARENT_RUN_TAG];
    const shape: NameShape = row.depth === 1 ? 'child' : row.depth === 0 && children > 0 ? 'expander' : parent && row.depth === undefined ? 'parent' : 'link';
    if (shape !== this.nameShape) {
      this.nameShape = shape;
      this.link = el('a', 'truncate');
      this.link.append(document.createTextNode(''));
      if (shape === 'link') this.nameCell.replaceChildren(this.link);
      else {
        const wrap = el('span', shape === 'child' ? 'nested child' : 'nested');
        if (shape === 'child') {
          const arrow = el('span', undefined, { 'aria-hidden': 'true' });
          arrow.textContent = '↳ ';
          wrap.append(arrow);
        } else if (shape === 'expander') {
          const button = el('button', 'expander', { type: 'button' });
          button.append(el('span', undefined, { 'aria-hidden': 'true' }));
          wrap.append(button);
        } else {
          const mark = el('span', 'parent-mark');
          mark.append('↳', el('span', 'sr-only'));
          wrap.append(mark);
        }
        wrap.append(this.link);
        this.nameCell.replaceChildren(wrap);
      }
    }
    attr(this.link, 'href', `/runs/${encodeURIComponent(run.info.run_id)}`);
    setText(this.link.firstChild as Text, name);
    const lead = this.link.previousElementSibling;
    if (shape === 'expander' && lead) {
      const expanded = row.expanded ?? false;
      attr(lead, 'aria-expanded', String(expanded));
      attr(lead, 'aria-label', `${expanded ? 'Hide' : 'Show'} ${children} child run${children === 1 ? '' : 's'} of ${name}`);
      const glyph = `${expanded ? '▾' : '▸'} ${children}`;
      if (lead.firstElementChild!.textContent !== glyph) lead.firstElementChild!.textContent = glyph;
    } else if (shape === 'parent' && lead) {
      attr(lead, 'title', `Child of run ${parent}`);
      const sr = ` child of run ${parent!.slice(0, 8)}`;
      if (lead.lastElementChild!.textContent !== sr) lead.lastElementChild!.textContent = sr;
    }
  }

  private drawKeys(run: RunTableRow, { keyColumns, firstCol, lastCol }: PoolColumns) {
    const last = Math.min(lastCol, keyColumns.length - 1);
    const n = Math.max(0, last - firstCol + 1);
    while (this.keyCells.length < n) {
      const cell = textCell('vcell vtext mono num vkey', 0);
      this.tr.append(cell.td);
      this.keyCells.push(cell);
    }
    while (this.keyCells.length > n) this.keyCells.pop()!.td.remove();
    for (let k = 0; k < n; k++) {
      const i = firstCol + k;
      const { td, text } = this.keyCells[k]!;
      attr(td, 'aria-colindex', String(FIXED.length + i + 1));
      const className = k === 0 ? 'vcell vtext mono num vkey first' : 'vcell vtext mono num vkey';
      if (td.className !== className) td.className = className;
      setText(text, formatValue(cellValue(keyColumns[i]!, run)));
    }
  }
}

type Drawn = PlaceholderRow | RunRowEl;

export class RowPool {
  /** Rows drawn now, by index. */
  private drawn = new Map<number, Drawn>();
  private spare: { run: RunRowEl[]; placeholder: PlaceholderRow[] } = { run: [], placeholder: [] };
  private byElement = new WeakMap<Element, Drawn>();
  private restTimer?: ReturnType<typeof setTimeout>;

  constructor(
    readonly tbody: HTMLTableSectionElement,
    private readonly actions: () => PoolActions,
  ) {
    tbody.addEventListener('click', this.onClick);
    tbody.addEventListener('change', this.onChange);
  }

  destroy() {
    clearTimeout(this.restTimer);
    this.tbody.removeEventListener('click', this.onClick);
    this.tbody.removeEventListener('change', this.onChange);
    this.tbody.replaceChildren();
    this.drawn.clear();
  }

  update(rows: PoolRow[], columns: PoolColumns) {
    const wanted = new Map<number, PoolRow>();
    for (const r of rows) wanted.set(r.index, r);
    const focused = document.activeElement;
    const next = new Map<number, Drawn>();
    let moved = false;
    // Free what the view no longer shows, or shows as the other kind; a row holding focus stays where it is.
    for (const [index, d] of this.drawn) {
      const w = wanted.get(index);
      if (w && (w.run ? 'run' : 'placeholder') === d.kind) next.set(index, d);
      else if (!w && focused && d.tr.contains(focused)) next.set(index, d);
      else if (d.kind === 'run') this.spare.run.push(d);
      else this.spare.placeholder.push(d);
    }
    for (const r of rows) {
      let d = next.get(r.index);
      if (!d) {
        d = r.run ? (this.spare.run.pop() ?? this.create('run')) : (this.spare.placeholder.pop() ?? this.create('placeholder'));
        if (!d.tr.isConnected) this.tbody.append(d.tr);
        next.set(r.index, d);
        moved = true;
      }
      d.place(r.index);
      if (d instanceof RunRowEl) d.draw(r, columns);
    }
    // Spare rows leave the DOM (the view shrank or changed kind); they come back when it grows.
    for (const d of [...this.spare.run, ...this.spare.placeholder]) if (d.tr.isConnected) d.tr.remove();
    this.drawn = next;
    if (moved) {
      clearTimeout(this.restTimer);
      this.restTimer = setTimeout(() => this.order(), REST_MS);
    }
  }

  private create(kind: 'run' | 'placeholder'): Drawn {
    const d = kind === 'run' ? new RunRowEl() : new PlaceholderRow();
    this.byElement.set(d.tr, d);
    return d;
  }

  /** Puts the rows in DOM order by index, for assistive technology and for anything reading the rows in order; the focused row never moves. */
  private order() {
    const rows = [...this.drawn.values()].sort((a, b) => a.index - b.index);
    let inOrder = true;
    let child = this.tbody.firstElementChild;
    for (const d of rows) {
      if (child !== d.tr) {
        inOrder = false;
        break;
      }
      child = child.nextElementSibling;
    }
    if (inOrder) return;
    const focused = document.activeElement;
    const pinned = rows.find((d) => focused && d.tr.contains(focused));
    if (!pinned) {
      this.tbody.append(...rows.map((d) => d.tr));
      return;
    }
    for (const d of rows) {
      if (d.index < pinned.index) this.tbody.insertBefore(d.tr, pinned.tr);
      else if (d !== pinned) this.tbody.append(d.tr);
    }
  }

  private rowOf(target: EventTarget | null): Drawn | undefined {
    const tr = target instanceof Element ? target.closest('tr') : null;
    return tr ? this.byElement.get(tr) : undefined;
  }

  private onClick = (e: MouseEvent) => {
    const d = this.rowOf(e.target);
    if (!(d instanceof RunRowEl) || !d.run) return;
    const target = e.target as Element;
    if (target.closest('a')) this.actions().open(e, d.run.info.run_id);
    else if (target.closest('button.expander')) this.actions().expand(d.run.info.run_id, d.index);
  };

  private onChange = (e: Event) => {
    const d = this.rowOf(e.target);
    if (d instanceof RunRowEl && d.run && (e.target as HTMLInputElement).type === 'checkbox') this.actions().toggle(d.run.info.run_id);
  };
}
