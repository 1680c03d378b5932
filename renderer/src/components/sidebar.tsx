import { PAGES, type PageId } from '../routes';

/** The navigation sidebar; each entry is a link so it is keyboard reachable. */
export function Sidebar({ current }: { current: PageId }) {
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">Biomed Workbench</div>
      <ul>
        {PAGES.map((p) => (
          <li key={p.id}>
            <a href={`#/${p.id}`} aria-current={p.id === current ? 'page' : undefined}>
              {p.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
