import { describe, expect, it } from 'vitest';
import { buildPrompt, preQuestion, TASK_IDS, TASKS, taskOf, toInstruction } from './tasks';

describe('task registry', () => {
  it('has the seven task types with metrics and hyperparameters', () => {
    expect(Object.keys(TASKS).sort()).toEqual([...TASK_IDS].sort());
    expect(TASKS.vqa.metrics).toEqual(['accuracy', 'accuracy_closed', 'accuracy_open']);
    expect(TASKS.summarization.hyperparameters).toMatchObject({
      lr: 1e-3,
      epochs: 300,
      maxSrcLength: 512,
      maxTgtLength: 128,
    });
    expect(TASKS.image_classification.hyperparameters.imageNorm).toBe('imagenet');
    expect(() => taskOf('nope')).toThrowError(/Unknown task "nope"/);
  });

  it('builds the spec §2.2 prompts', () => {
    expect(buildPrompt('vqa', { question: 'Is there a mass in the Left-lung?', organ: 'CHEST' })).toBe(
      ' is there a mass in the left lung? object: chest',
    );
    expect(buildPrompt('vqa', { question: 'what is this' })).toBe(' what is this? object: ');
    expect(buildPrompt('image_classification', {})).toBe(' what does the image describe?');
    expect(buildPrompt('captioning', {})).toBe(' what does the image describe?');
    expect(buildPrompt('text_understanding', { s1: 'He has\tfever.', s2: 'He is febrile.' })).toBe(
      ' can text1 " He has fever. " imply text2 " He is febrile. "?',
    );
    expect(buildPrompt('summarization', { source: 'a  long\ntext' })).toBe(
      ' what is the summary of article " a long text "?',
    );
    expect(buildPrompt('question_answering', { question: 'Q?', context: 'C.' })).toBe(
      ' what is the answer to question " Q? " given context " C. "?',
    );
  });

  it('pre-processes questions like OFA and formats targets', () => {
    expect(preQuestion('?? Where/what -is it??')).toBe('where what is it');
    expect(TASKS.vqa.formatTarget(' Left\t Lung ')).toBe('left lung');
    expect(toInstruction('image_classification', {}, 'normal', ['normal', 'pneumonia'])).toEqual({
      instruction: 'Which class does this medical image belong to? Options: normal, pneumonia.',
      input: '',
      output: 'normal',
    });
  });
});
