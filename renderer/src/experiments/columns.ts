/** History's columns: label, width (CSS grid track) and the `runs.list` sort key, if sortable. */
export const COLUMNS = [
  { id: 'select', label: 'Select', width: '36px', sort: null },
  { id: 'star', label: 'Star', width: '36px', sort: null },
  { id: 'name', label: 'Name', width: 'minmax(180px, 3fr)', sort: 'name' },
  { id: 'status', label: 'Status', width: '96px', sort: 'status' },
  { id: 'scale', label: 'Scale', width: '72px', sort: 'scale' },
  { id: 'task', label: 'Task', width: 'minmax(80px, 1fr)', sort: 'task' },
  { id: 'dataset', label: 'Dataset', width: 'minmax(80px, 1fr)', sort: 'dataset' },
  { id: 'best', label: 'Best metric', width: '140px', sort: 'bestMetric' },
  { id: 'params', label: 'Params', width: '64px', sort: 'params' },
  { id: 'created', label: 'Created', width: '164px', sort: 'createdAt' },
  { id: 'tags', label: 'Tags', width: 'minmax(60px, 1fr)', sort: null },
] as const;

/** The grid template shared by the header and every row, so columns line up. */
export const GRID_TEMPLATE = COLUMNS.map((c) => c.width).join(' ');

/** Column gap and the row's side padding (styles.css `.vrow`), in pixels. */
const GAP = 8;
const PADDING = 16;

/**
 * The table's least width: every column at its minimum. Narrower windows scroll the table
 * sideways (its own scrollbar) instead of cutting the last columns.
 */
export const TABLE_MIN_WIDTH =
  COLUMNS.reduce((sum, c) => sum + Number(/(\d+)px/.exec(c.width)?.[1] ?? 0), 0) +
  GAP * (COLUMNS.length - 1) +
  PADDING;

/** Height of one row in pixels (fixed, so the virtualiser never measures). */
export const ROW_HEIGHT = 34;
