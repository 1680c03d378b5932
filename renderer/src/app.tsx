import { useEffect, useState } from 'react';
import { ComparePage } from './compare/compare-page';
import { Sidebar } from './components/sidebar';
import { DatasetPage } from './datasets/dataset-page';
import { DatasetsPage } from './datasets/datasets-page';
import { ExperimentsPage } from './experiments/experiments-page';
import { NewExperimentPage } from './new-experiment/new-experiment-page';
import { parseRoute, type Route } from './routes';
import { RunPage } from './runs/run-page';
import { SettingsPage } from './settings/settings-page';
import { WeightsPage } from './weights/weights-page';
import { ZeroShotPage } from './zero-shot/zero-shot-page';

function Current({ route }: { route: Route }) {
  switch (route.page) {
    case 'datasets':
      return <DatasetsPage />;
    case 'dataset':
      return <DatasetPage id={route.id ?? ''} />;
    case 'new':
      return <NewExperimentPage params={route.params} />;
    case 'run':
      return <RunPage id={route.id ?? ''} />;
    case 'compare':
      return <ComparePage ids={(route.params.get('ids') ?? '').split(',').filter(Boolean)} />;
    case 'zero-shot':
      return <ZeroShotPage />;
    case 'weights':
      return <WeightsPage />;
    case 'settings':
      return <SettingsPage />;
    default:
      return <ExperimentsPage />;
  }
}

/** The window: sidebar and the current page. */
export function App() {
  const [route, setRoute] = useState<Route>(parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return (
    <div className="app">
      <Sidebar current={route.page} />
      <main className="page">
        <Current key={`${route.page}/${route.id ?? ''}`} route={route} />
      </main>
    </div>
  );
}
