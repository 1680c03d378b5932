import { PAGES, type PageId, sidebarPage } from '../routes';

/** The navigation sidebar; each entry is a link so it is keyboard reachable. */
export function Sidebar({ current }: { current: PageId }) {
  const active = sidebarPage(current);
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">Biomed Workbench</div>
      <ul>
        {PAGES.map((p) => (
          <li key={p.id}>
            <a href={`#/${p.id}`} aria-current={p.id === active ? 'page' : undefined}>
              {p.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
