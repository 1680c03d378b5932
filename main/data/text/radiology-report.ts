/**
 * Sections of a free-text radiology report (MIMIC-CXR's `sNNNNNNNN.txt`, MIMIC-III's radiology
 * notes): the text under a `FINDINGS:` and an `IMPRESSION:` header, each up to the next known
 * header. Headers are matched at the start of a line, in any case, as MIMIC-CXR's own
 * `section_parser.py` does for these two sections.
 */

/** Headers that end a section (and, for the two we keep, start one). */
const HEADERS = [
  'FINDINGS AND IMPRESSIONS?',
  'FINDINGS',
  'IMPRESSIONS?',
  'CONCLUSIONS?',
  'RECOMMENDATIONS?(?:\\(S\\))?',
  'NOTIFICATIONS?',
  'INDICATIONS?',
  'CLINICAL (?:HISTORY|INDICATION|INFORMATION)',
  'HISTORY',
  'REASON FOR (?:THE )?(?:EXAM|EXAMINATION|STUDY)',
  'TECHNIQUE',
  'COMPARISONS?',
  'EXAMINATION',
  'EXAM',
  'PROCEDURE',
  'ADDENDUM',
  'WET READ',
  'PROVISIONAL FINDINGS IMPRESSION \\(PFI\\)',
  'PFI',
  'CONTRAST',
  'DOSE',
  'STUDY',
];
const HEADER = new RegExp(`^[ \\t]*(${HEADERS.join('|')})[ \\t]*:`, 'gim');
/** Lines that end the report body (MIMIC-III: the radiologist's sign-off). */
const END = /^[ \t]*(?:FINAL REPORT|DR\. |\(Over\)|_{10,})/im;

/** The findings and impression of a report, whitespace collapsed; absent sections are undefined. */
export interface ReportSections {
  readonly findings?: string;
  readonly impression?: string;
}

const clean = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** Reads the FINDINGS and IMPRESSION sections (the first of each; CONCLUSION stands in for IMPRESSION). */
export function reportSections(text: string): ReportSections {
  const marks: { name: string; start: number; body: number }[] = [];
  for (const m of text.matchAll(HEADER)) {
    marks.push({ name: m[1]!.toUpperCase(), start: m.index, body: m.index + m[0].length });
  }
  const sectionOf = (test: (name: string) => boolean): string | undefined => {
    const k = marks.findIndex((m) => test(m.name));
    if (k < 0) return undefined;
    const from = marks[k]!.body;
    let to = marks[k + 1]?.start ?? text.length;
    const rest = text.slice(from, to);
    const end = rest.search(END);
    if (end >= 0) to = from + end;
    const body = clean(text.slice(from, to));
    return body === '' ? undefined : body;
  };
  const findings = sectionOf((n) => n === 'FINDINGS');
  const impression =
    sectionOf((n) => n === 'IMPRESSION' || n === 'IMPRESSIONS') ??
    sectionOf((n) => n.startsWith('CONCLUSION'));
  return { ...(findings ? { findings } : {}), ...(impression ? { impression } : {}) };
}
