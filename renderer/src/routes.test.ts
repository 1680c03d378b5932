import { describe, expect, it } from 'vitest';
import { href, parseRoute, sidebarPage } from './routes';

describe('parseRoute', () => {
  it('reads pages, ids and query parameters', () => {
    expect(parseRoute('#/settings').page).toBe('settings');
    expect(parseRoute('#/runs/abc-1')).toMatchObject({ page: 'run', id: 'abc-1' });
    expect(parseRoute('#/datasets/d%201')).toMatchObject({ page: 'dataset', id: 'd 1' });
    expect(parseRoute('#/compare?ids=a,b').params.get('ids')).toBe('a,b');
  });
  it('defaults to Experiments for unknown or empty hashes', () => {
    expect(parseRoute('').page).toBe('experiments');
    expect(parseRoute('#/nowhere').page).toBe('experiments');
    expect(parseRoute('#/runs').page).toBe('experiments');
  });
  it('round-trips the links it builds', () => {
    expect(parseRoute(href.run('x/y')).id).toBe('x/y');
    expect(parseRoute(href.compare(['a', 'b'])).params.get('ids')).toBe('a,b');
    expect(sidebarPage('run')).toBe('experiments');
  });
});
