import { z } from 'zod';
import { DatasetSummary } from '../domain/dataset';
import { method } from './define';

/** Methods over the dataset library. */
export const datasetMethods = {
  'datasets.list': method(z.object({}).strict(), z.array(DatasetSummary), 'Every dataset in the library'),
};
