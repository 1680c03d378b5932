import { describe, expect, it } from 'vitest';
import { cxrReport, mimicIIIRadiology } from '#main/data/fixtures/publisher-fixtures';
import { reportSections } from './radiology-report';

describe('reportSections', () => {
  it('MIMIC-CXR layout: FINDINGS and IMPRESSION bodies, whitespace collapsed', () => {
    expect(reportSections(cxrReport('Heart  size\n normal.', 'No acute process.'))).toEqual({
      findings: 'Heart size normal.',
      impression: 'No acute process.',
    });
    expect(reportSections(cxrReport(null, 'Edema.'))).toEqual({ impression: 'Edema.' });
  });

  it('MIMIC-III layout: headers on the same line, earlier sections and sign-off left out', () => {
    const text = `${mimicIIIRadiology('No bleed.', 'Normal head CT.')}\n DR. [**First Name (STitle) 123**]\n`;
    expect(reportSections(text)).toEqual({
      findings: 'No bleed. "quoted" words, and commas.',
      impression: 'Normal head CT.',
    });
  });

  it('CONCLUSION stands in for IMPRESSION; a combined section is neither; lower case headers count', () => {
    expect(reportSections('Findings: a b.\nConclusion: c.')).toEqual({ findings: 'a b.', impression: 'c.' });
    expect(reportSections('FINDINGS AND IMPRESSION: all clear.')).toEqual({});
    expect(reportSections('FINDINGS: x.\nRECOMMENDATION(S): follow up.\nIMPRESSION: y.')).toEqual({
      findings: 'x.',
      impression: 'y.',
    });
  });
});
