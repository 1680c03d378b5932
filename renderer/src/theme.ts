/** The user's theme choice; `system` follows the operating system. */
export type ThemeChoice = 'light' | 'dark' | 'system';

const KEY = 'biomed.theme';

/** The stored choice (default: follow the system). */
export function storedTheme(): ThemeChoice {
  const v = globalThis.localStorage?.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

/** Applies a choice to the document and remembers it. */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  globalThis.localStorage?.setItem(KEY, choice);
  window.dispatchEvent(new Event('biomed-theme'));
}

/** Whether the page currently renders dark (for canvas charts, which cannot read CSS at draw time). */
export function isDark(): boolean {
  const forced = document.documentElement.dataset.theme;
  if (forced) return forced === 'dark';
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}
