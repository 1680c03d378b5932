/** The pages of the sidebar, in order. */
export const PAGES = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'experiments', label: 'Experiments' },
  { id: 'compare', label: 'Compare' },
  { id: 'zero-shot', label: 'Zero-shot' },
  { id: 'settings', label: 'Settings' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

/** Reads the page from the location hash (`#/experiments`), defaulting to Experiments. */
export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '').split('/')[0];
  return PAGES.find((p) => p.id === id)?.id ?? 'experiments';
}
