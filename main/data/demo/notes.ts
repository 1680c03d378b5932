import type { ParsedDataset, ParsedExample } from '#main/data/types';
import { mulberry32 } from '#shared/random';

const NOTE = 'Synthetic: templated clinical notes generated from a seed (no patient data).';

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const COMPLAINTS = [
  { complaint: 'chest pain', finding: 'ST elevation on the ECG', plan: 'cardiology review' },
  { complaint: 'shortness of breath', finding: 'bilateral crackles', plan: 'a chest x-ray' },
  { complaint: 'abdominal pain', finding: 'right lower quadrant tenderness', plan: 'an abdominal CT' },
  { complaint: 'headache', finding: 'neck stiffness', plan: 'a lumbar puncture' },
  { complaint: 'cough', finding: 'wheezing', plan: 'inhaled bronchodilators' },
  { complaint: 'back pain', finding: 'tenderness over the lumbar spine', plan: 'physiotherapy' },
  { complaint: 'fatigue', finding: 'pale conjunctivae', plan: 'a full blood count' },
  { complaint: 'dizziness', finding: 'orthostatic hypotension', plan: 'intravenous fluids' },
] as const;
const DURATIONS = ['two days', 'three days', 'one week', 'two weeks', 'one month'] as const;
const SEXES = ['man', 'woman'] as const;
const CONDITIONS = ['diabetes', 'hypertension', 'asthma', 'heart failure'] as const;

interface Note {
  readonly age: number;
  readonly sex: (typeof SEXES)[number];
  readonly c: (typeof COMPLAINTS)[number];
  readonly duration: (typeof DURATIONS)[number];
  readonly fever: boolean;
  readonly temp: string;
  /** Each condition: present, absent (stated), or not mentioned. */
  readonly history: ReadonlyMap<string, 'yes' | 'no' | 'unknown'>;
}

function drawNote(rand: () => number): Note {
  const fever = rand() < 0.5;
  const history = new Map<string, 'yes' | 'no' | 'unknown'>();
  for (const k of CONDITIONS) history.set(k, pick(rand, ['yes', 'no', 'unknown'] as const));
  return {
    age: 20 + Math.floor(rand() * 65),
    sex: pick(rand, SEXES),
    c: pick(rand, COMPLAINTS),
    duration: pick(rand, DURATIONS),
    fever,
    temp: fever ? (38.3 + rand() * 1.5).toFixed(1) : (36.4 + rand() * 0.8).toFixed(1),
    history,
  };
}

function writeNote(n: Note, rand: () => number): string {
  const known = [...n.history].filter(([, v]) => v !== 'unknown');
  const hx = known.map(([k, v]) => (v === 'yes' ? `a history of ${k}` : `no history of ${k}`));
  const parts = [
    `A ${n.age}-year-old ${n.sex} presents with ${n.c.complaint} for ${n.duration}.`,
    hx.length > 0 ? `The patient reports ${hx.join(', ')}.` : 'Past medical history was not documented.',
    `Temperature is ${n.temp} C.`,
    `Examination shows ${n.c.finding}.`,
    `The plan is ${n.c.plan}.`,
  ];
  if (rand() < 0.3) parts.splice(3, 0, 'The patient is alert and oriented.');
  return parts.join(' ');
}

const base = (
  id: string,
  name: string,
  task: ParsedDataset['task'],
  seed: number,
  examples: ParsedExample[],
): ParsedDataset => ({
  format: 'demo',
  name,
  task,
  examples,
  images: new Map(),
  synthetic: true,
  meta: { demoId: id, seed, note: NOTE },
});

/**
 * NLI over notes. Hypotheses restate a fact of the note (yes), negate it (no) or talk about
 * something the note does not cover (maybe): the cues are lexical, as in real NLI data, so a
 * small model picks them up within minutes.
 */
export function demoNli(seed: number, count = 600): ParsedDataset {
  const rand = mulberry32(seed);
  const examples: ParsedExample[] = [];
  for (let i = 0; i < count; i++) {
    const n = drawNote(rand);
    // A short note, so the whole premise and hypothesis fit the CPU rungs' source length.
    const s1 = `A ${n.age}-year-old ${n.sex} presents with ${n.c.complaint} for ${n.duration}. Temperature is ${n.temp} C.`;
    const kind = i % 3;
    const fact = rand() < 0.5 ? 'complaint' : 'fever';
    let s2: string;
    let target: string;
    if (kind === 0) {
      target = 'yes';
      s2 =
        fact === 'complaint'
          ? pick(rand, [`The patient has ${n.c.complaint}.`, `The patient presents with ${n.c.complaint}.`])
          : n.fever
            ? 'The patient has a fever.'
            : 'The patient is afebrile.';
    } else if (kind === 1) {
      target = 'no';
      s2 =
        fact === 'complaint'
          ? pick(rand, [`The patient denies ${n.c.complaint}.`, `The patient has no ${n.c.complaint}.`])
          : n.fever
            ? 'The patient is afebrile.'
            : 'The patient has a fever.';
    } else {
      target = 'maybe';
      s2 = pick(rand, [
        'The patient smokes.',
        'The patient lives alone.',
        'The patient works as a teacher.',
        'The patient has a dog.',
      ]);
    }
    examples.push({
      task: 'text_understanding',
      inputs: { s1, s2 },
      target,
      candidates: ['yes', 'no', 'maybe'],
      meta: {
        label: { yes: 'entailment', no: 'contradiction', maybe: 'neutral' }[target]!,
        answerType: 'closed',
      },
    });
  }
  return base('notes-nli', 'Demo: clinical notes (text understanding)', 'text_understanding', seed, examples);
}

/** Summarization: note -> "{age}-year-old {sex} with {complaint} for {duration}; plan {plan}." */
export function demoSummarization(seed: number, count = 500): ParsedDataset {
  const rand = mulberry32(seed);
  const examples: ParsedExample[] = Array.from({ length: count }, () => {
    const n = drawNote(rand);
    return {
      task: 'summarization',
      inputs: { source: writeNote(n, rand) },
      target: `${n.age}-year-old ${n.sex} with ${n.c.complaint} for ${n.duration}; plan: ${n.c.plan}.`,
      meta: {},
    };
  });
  return base('notes-summarization', 'Demo: clinical notes (summarization)', 'summarization', seed, examples);
}

/**
 * QA: "Does the patient have a history of X?" The note states a history of X (yes), no history of
 * X (no), or that the history was not documented (maybe).
 */
export function demoQa(seed: number, count = 600): ParsedDataset {
  const rand = mulberry32(seed);
  const examples: ParsedExample[] = Array.from({ length: count }, (_, i) => {
    const condition = pick(rand, CONDITIONS);
    const state = (['yes', 'no', 'unknown'] as const)[i % 3]!;
    const history = new Map<string, 'yes' | 'no' | 'unknown'>([[condition, state]]);
    const n = { ...drawNote(rand), history };
    return {
      task: 'question_answering',
      inputs: { question: `Does the patient have a history of ${condition}?`, context: writeNote(n, rand) },
      target: state === 'unknown' ? 'maybe' : state,
      candidates: ['yes', 'no', 'maybe'],
      meta: { answerType: 'closed' },
    };
  });
  return base('notes-qa', 'Demo: clinical notes (question answering)', 'question_answering', seed, examples);
}
