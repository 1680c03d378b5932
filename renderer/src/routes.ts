/** The pages of the sidebar, in order. */
export const PAGES = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'new', label: 'New experiment' },
  { id: 'experiments', label: 'Experiments' },
  { id: 'compare', label: 'Compare' },
  { id: 'zero-shot', label: 'Zero-shot' },
  { id: 'weights', label: 'Weights' },
  { id: 'settings', label: 'Settings' },
] as const;

export type PageId = (typeof PAGES)[number]['id'] | 'run' | 'dataset';

/** Where the window is: a page, an optional id (`#/runs/<id>`) and query parameters. */
export interface Route {
  readonly page: PageId;
  readonly id: string | null;
  readonly params: URLSearchParams;
}

/** Reads the route from the location hash (`#/runs/abc`, `#/compare?ids=a,b`), defaulting to Experiments. */
export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = body.split('?');
  const [head = '', id] = path.split('/');
  const params = new URLSearchParams(query);
  const withId = id ? decodeURIComponent(id) : null;
  if (head === 'runs' && withId) return { page: 'run', id: withId, params };
  if (head === 'datasets' && withId) return { page: 'dataset', id: withId, params };
  const page = PAGES.find((p) => p.id === head)?.id ?? 'experiments';
  return { page, id: null, params };
}

/** Reads the page from the location hash, as the sidebar highlights it. */
export function pageFromHash(hash: string): PageId {
  return parseRoute(hash).page;
}

/** The sidebar entry a route belongs to. */
export function sidebarPage(page: PageId): PageId {
  if (page === 'run') return 'experiments';
  if (page === 'dataset') return 'datasets';
  return page;
}

/** Hash links, so every route is a plain link (keyboard reachable, shareable). */
export const href = {
  run: (id: string) => `#/runs/${encodeURIComponent(id)}`,
  dataset: (id: string) => `#/datasets/${encodeURIComponent(id)}`,
  compare: (ids: readonly string[]) => `#/compare?ids=${ids.map(encodeURIComponent).join(',')}`,
  newExperiment: (datasetId?: string) =>
    datasetId ? `#/new?dataset=${encodeURIComponent(datasetId)}` : '#/new',
};
