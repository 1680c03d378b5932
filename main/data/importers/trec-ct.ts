import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readText, walkFiles } from '#main/data/fs-utils';
import type { Problems } from '#main/data/problems';
import { zipTexts } from '#main/data/text/zip-texts';
import type { Importer, ParsedExample } from '#main/data/types';
import { taskOf } from '#shared/tasks';
import { meta } from './common';
import { skipRecord } from './records';

const tu = taskOf('text_understanding');
const LABELS = ['not relevant', 'excluded', 'eligible'] as const;
const TOPICS = /^topics(20\d\d)\.xml$/i;
const QRELS = /^qrels(20\d\d)\.txt$/i;
const TRIAL = /(?:^|\/)(NCT\d{8})\.xml$/i;

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** XML character data: entities decoded, whitespace collapsed. */
const xmlText = (s: string): string =>
  s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) =>
      e[0] === '#'
        ? String.fromCodePoint(
            e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
          )
        : (ENTITIES[e] ?? m),
    )
    .replace(/\s+/g, ' ')
    .trim();
const element = (xml: string, path: string[]): string => {
  let scope = xml;
  for (const tag of path) {
    const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(scope);
    if (!m) return '';
    scope = m[1]!;
  }
  return xmlText(scope);
};

/**
 * The text of a ClinicalTrials.gov record (the 2021-04-27 snapshot's `NCTnnnnnnnn.xml`): title,
 * condition, sex and ages, and the eligibility criteria.
 */
export function trialText(xml: string): string {
  const title = element(xml, ['brief_title']) || element(xml, ['official_title']);
  const conditions = [...xml.matchAll(/<condition>([\s\S]*?)<\/condition>/g)].map((m) => xmlText(m[1]!));
  const parts = [
    title,
    conditions.length ? `Conditions: ${conditions.join(', ')}.` : '',
    [
      element(xml, ['eligibility', 'gender']) && `Sex: ${element(xml, ['eligibility', 'gender'])}.`,
      element(xml, ['eligibility', 'minimum_age']) &&
        `Minimum age: ${element(xml, ['eligibility', 'minimum_age'])}.`,
      element(xml, ['eligibility', 'maximum_age']) &&
        `Maximum age: ${element(xml, ['eligibility', 'maximum_age'])}.`,
    ]
      .filter(Boolean)
      .join(' '),
    element(xml, ['eligibility', 'criteria', 'textblock']),
  ];
  return parts.filter((p) => p !== '').join(' ');
}

async function readTrials(
  root: string,
  wanted: ReadonlySet<string>,
  problems: Problems,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of walkFiles(root)) {
    if (out.size === wanted.size) break;
    const name = file.slice(root.length + 1);
    if (/\.zip$/i.test(file)) {
      try {
        // Streamed: each snapshot part is ~0.5 GB.
        await zipTexts(
          file,
          (name) => {
            const id = TRIAL.exec(name)?.[1]?.toUpperCase();
            return id !== undefined && wanted.has(id) && !out.has(id);
          },
          (name, text) => out.set(TRIAL.exec(name)![1]!.toUpperCase(), text),
        );
      } catch (err) {
        problems.fail(name, `not a readable zip archive (${(err as Error).message})`);
      }
      continue;
    }
    const id = TRIAL.exec(file.replace(/\\/g, '/'))?.[1]?.toUpperCase();
    if (id && wanted.has(id) && !out.has(id)) out.set(id, await readText(file, problems, root));
  }
  return out;
}

/**
 * TREC Clinical Trials 2021/2022 as NIST distributes it: `topics2022.xml` (patient
 * descriptions), `qrels2022.txt` (`topic 0 NCTnnnnnnnn relevance`: 2 eligible, 1 excluded, 0 not
 * relevant) and the ClinicalTrials.gov snapshot (`ClinicalTrials.2021-04-27.part1.zip` … or the
 * unpacked `NCTnnnnxxxx/NCTnnnnnnnn.xml`). One (patient description, trial) example per judged
 * pair; no official split, drawn by topic so a patient is in one split only.
 */
export const trecCtImporter: Importer = {
  format: 'trec-ct',
  label: 'TREC Clinical Trials (topics + qrels + trials)',
  description: '`topics2022.xml` + `qrels2022.txt` + `ClinicalTrials.2021-04-27.part*.zip` (or NCT*.xml)',
  detect: (p) => p.isDir && p.entries.some((e) => TOPICS.test(e)) && p.entries.some((e) => QRELS.test(e)),
  async parse(path, options, problems) {
    const entries = readdirSync(path);
    const topicsName = entries.find((e) => TOPICS.test(e))!;
    const qrelsName = entries.find((e) => QRELS.test(e))!;
    const year = TOPICS.exec(topicsName)![1]!;
    const topicsXml = await readText(join(path, topicsName), problems);
    const topics = new Map<string, string>();
    for (const m of topicsXml.matchAll(/<topic\s+number="([^"]*)"\s*>([\s\S]*?)<\/topic>/g)) {
      const text = xmlText(m[2]!);
      if (text === '') skipRecord(problems, topicsName, `topic ${m[1]}`, 'the patient description is empty');
      else topics.set(m[1]!.trim(), text);
    }
    if (topics.size === 0) problems.fail(topicsName, 'no <topic number="…"> elements');
    const pairs: { topic: string; trial: string; label: (typeof LABELS)[number]; line: number }[] = [];
    const seen = new Set<string>();
    (await readText(join(path, qrelsName), problems)).split(/\r?\n/).forEach((raw, k) => {
      const line = k + 1;
      if (raw.trim() === '') return;
      const [topic, , trial, rel] = raw.trim().split(/\s+/);
      const id = `${topic}/${trial}`;
      const label = LABELS[Number(rel)];
      if (!topic || !trial || !/^NCT\d{8}$/i.test(trial) || !label || !/^[012]$/.test(rel ?? '')) {
        skipRecord(problems, qrelsName, id, 'expected "topic 0 NCTnnnnnnnn 0|1|2"', { line });
        return;
      }
      if (seen.has(id)) {
        skipRecord(problems, qrelsName, id, 'judged twice; the first judgement is kept', { line });
        return;
      }
      seen.add(id);
      if (!topics.has(topic)) {
        skipRecord(problems, qrelsName, id, `topic ${topic} is not in ${topicsName}`, {
          line,
          field: 'topic',
        });
        return;
      }
      pairs.push({ topic, trial: trial.toUpperCase(), label, line });
    });
    const chosen = options.limit !== undefined ? pairs.slice(0, options.limit) : pairs;
    const trials = await readTrials(path, new Set(chosen.map((p) => p.trial)), problems);
    const texts = new Map<string, string>();
    const examples: ParsedExample[] = [];
    for (const p of chosen) {
      const xml = trials.get(p.trial);
      if (xml === undefined) {
        skipRecord(
          problems,
          qrelsName,
          `${p.topic}/${p.trial}`,
          `trial ${p.trial} is not in the trial documents`,
          {
            line: p.line,
            field: 'trial',
          },
        );
        continue;
      }
      const text = texts.get(p.trial) ?? trialText(xml);
      texts.set(p.trial, text);
      examples.push({
        task: 'text_understanding',
        inputs: { s1: topics.get(p.topic)!, s2: text },
        target: tu.formatTarget(p.label),
        candidates: [...LABELS],
        group: `topic:${p.topic}`,
        meta: meta({
          sourceId: `${p.topic}/${p.trial}`,
          topic: p.topic,
          trial: p.trial,
          label: p.label,
          answerType: 'closed',
        }),
      });
    }
    return {
      format: 'trec-ct',
      name: `TREC ${year} Clinical Trials`,
      task: 'text_understanding',
      examples,
      images: new Map(),
      meta: {
        labelNames: [...LABELS],
        source: `TREC ${year} Clinical Trials track (NIST): topics, qrels, ClinicalTrials.gov 2021-04-27 snapshot`,
        inputs: 's1 = patient description, s2 = trial title, conditions, sex, ages and eligibility criteria',
      },
    };
  },
};
