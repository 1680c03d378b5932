import type { z } from 'zod';

/**
 * A schema issue in plain words naming the field ("GPUs per job must be a whole number"), for a
 * form; never zod's raw text ("Invalid input: expected number, received NaN").
 */
export function plainIssue(issue: z.core.$ZodIssue, label: string): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int') return `${label} must be a whole number`;
      return `${label} is missing or not valid`;
    case 'too_small':
      if (issue.origin === 'string') return `${label} is required`;
      return `${label} must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string')
        return `${label} is too long (at most ${String(issue.maximum)} characters)`;
      return `${label} must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
    case 'custom':
      // the schema's own message ("must be an absolute path on the cluster") when it gave one
      return issue.message.startsWith('Invalid') ? `${label} is not valid` : `${label} ${issue.message}`;
    default:
      return `${label} is not valid`;
  }
}
