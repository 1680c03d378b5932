import { describe, expect, it } from 'vitest';
import { pathFromDrop } from './drop-path';

describe('pathFromDrop', () => {
  it('reads file URIs from a file manager drag', () => {
    expect(pathFromDrop('# comment\nfile:///data/vqa%20rad\n', '')).toBe('/data/vqa rad');
    expect(pathFromDrop('file:///C:/data/x.json', '')).toBe('C:/data/x.json');
  });
  it('accepts a dragged or pasted path and ignores other text', () => {
    expect(pathFromDrop('', ' ../shared/data/vqa_rad ')).toBe('../shared/data/vqa_rad');
    expect(pathFromDrop('', 'hello world')).toBeNull();
    expect(pathFromDrop('https://example.org/x', '')).toBeNull();
  });
});
