import type { Page } from '@playwright/test';

/** Form controls in the page without an accessible name (label, aria-label or aria-labelledby). */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => {
        const e = el as HTMLInputElement;
        if (e.type === 'hidden' || e.closest('[aria-hidden="true"]')) return false;
        const named =
          (e.labels && e.labels.length > 0) ||
          e.getAttribute('aria-label') ||
          e.getAttribute('aria-labelledby') ||
          (e.tagName === 'BUTTON' && e.textContent?.trim());
        return !named;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

/** The page's computed background colour as [r, g, b]. */
export async function backgroundRgb(page: Page): Promise<number[]> {
  const css = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  return (css.match(/\d+/g) ?? []).slice(0, 3).map(Number);
}
