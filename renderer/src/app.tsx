import { useEffect, useState } from 'react';
import { Sidebar } from './components/sidebar';
import { ComparePage } from './pages/compare';
import { DatasetsPage } from './pages/datasets';
import { ExperimentsPage } from './pages/experiments';
import { SettingsPage } from './pages/settings';
import { ZeroShotPage } from './pages/zero-shot';
import { type PageId, pageFromHash } from './routes';

/** The window: sidebar and the current page. */
export function App() {
  const [page, setPage] = useState<PageId>(pageFromHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setPage(pageFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return (
    <div className="app">
      <Sidebar current={page} />
      <main className="page" aria-live="polite">
        {page === 'datasets' && <DatasetsPage />}
        {page === 'experiments' && <ExperimentsPage />}
        {page === 'compare' && <ComparePage />}
        {page === 'zero-shot' && <ZeroShotPage />}
        {page === 'settings' && <SettingsPage />}
      </main>
    </div>
  );
}
