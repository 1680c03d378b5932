import { describe, expect, it } from 'vitest';
import { PRODUCT_NAME } from '#shared/product';

describe('product', () => {
  it('has a name', () => {
    expect(PRODUCT_NAME).toBe('Biomed Workbench');
  });
});
