/** The task of a subset, as `INFO[flag]['task']` in medmnist/info.py names it. */
export type MedmnistTask =
  | 'multi-class'
  | 'binary-class'
  | 'multi-label, binary-class'
  | 'ordinal-regression';

/** Label names and display names of the MedMNIST v2 subsets (`INFO` in medmnist/info.py). */
export interface MedmnistInfo {
  readonly title: string;
  readonly labels: readonly string[];
  /** Default `multi-class`. */
  readonly task?: MedmnistTask;
  /** ChestMNIST: 14 binary labels per image. */
  readonly multiLabel?: boolean;
  /** The 3D subsets (28x28x28 volumes): the middle slice is imported. */
  readonly volume?: boolean;
}

const ORGANS = [
  'bladder',
  'femur-left',
  'femur-right',
  'heart',
  'kidney-left',
  'kidney-right',
  'liver',
  'lung-left',
  'lung-right',
  'pancreas',
  'spleen',
];

/** By subset flag (the `.npz` file name without size suffix). */
export const MEDMNIST_INFO: Readonly<Record<string, MedmnistInfo>> = {
  pathmnist: {
    title: 'PathMNIST',
    labels: [
      'adipose',
      'background',
      'debris',
      'lymphocytes',
      'mucus',
      'smooth muscle',
      'normal colon mucosa',
      'cancer-associated stroma',
      'colorectal adenocarcinoma epithelium',
    ],
  },
  chestmnist: {
    title: 'ChestMNIST',
    multiLabel: true,
    task: 'multi-label, binary-class',
    labels: [
      'atelectasis',
      'cardiomegaly',
      'effusion',
      'infiltration',
      'mass',
      'nodule',
      'pneumonia',
      'pneumothorax',
      'consolidation',
      'edema',
      'emphysema',
      'fibrosis',
      'pleural',
      'hernia',
    ],
  },
  dermamnist: {
    title: 'DermaMNIST',
    labels: [
      'actinic keratoses and intraepithelial carcinoma',
      'basal cell carcinoma',
      'benign keratosis-like lesions',
      'dermatofibroma',
      'melanoma',
      'melanocytic nevi',
      'vascular lesions',
    ],
  },
  octmnist: {
    title: 'OCTMNIST',
    labels: ['choroidal neovascularization', 'diabetic macular edema', 'drusen', 'normal'],
  },
  pneumoniamnist: { title: 'PneumoniaMNIST', labels: ['normal', 'pneumonia'], task: 'binary-class' },
  retinamnist: { title: 'RetinaMNIST', labels: ['0', '1', '2', '3', '4'], task: 'ordinal-regression' },
  breastmnist: { title: 'BreastMNIST', labels: ['malignant', 'normal, benign'], task: 'binary-class' },
  bloodmnist: {
    title: 'BloodMNIST',
    labels: [
      'basophil',
      'eosinophil',
      'erythroblast',
      'immature granulocytes(myelocytes, metamyelocytes and promyelocytes)',
      'lymphocyte',
      'monocyte',
      'neutrophil',
      'platelet',
    ],
  },
  tissuemnist: {
    title: 'TissueMNIST',
    labels: [
      'collecting duct, connecting tubule',
      'distal convoluted tubule',
      'glomerular endothelial cells',
      'interstitial endothelial cells',
      'leukocytes',
      'podocytes',
      'proximal tubule segments',
      'thick ascending limb',
    ],
  },
  organamnist: { title: 'OrganAMNIST', labels: ORGANS },
  organcmnist: { title: 'OrganCMNIST', labels: ORGANS },
  organsmnist: { title: 'OrganSMNIST', labels: ORGANS },
  organmnist3d: { title: 'OrganMNIST3D', labels: ORGANS, volume: true },
  nodulemnist3d: {
    title: 'NoduleMNIST3D',
    labels: ['benign', 'malignant'],
    volume: true,
    task: 'binary-class',
  },
  adrenalmnist3d: {
    title: 'AdrenalMNIST3D',
    labels: ['normal', 'hyperplasia'],
    volume: true,
    task: 'binary-class',
  },
  fracturemnist3d: {
    title: 'FractureMNIST3D',
    labels: ['buckle rib fracture', 'nondisplaced rib fracture', 'displaced rib fracture'],
    volume: true,
  },
  vesselmnist3d: {
    title: 'VesselMNIST3D',
    labels: ['vessel', 'aneurysm'],
    volume: true,
    task: 'binary-class',
  },
  synapsemnist3d: {
    title: 'SynapseMNIST3D',
    labels: ['inhibitory synapse', 'excitatory synapse'],
    volume: true,
    task: 'binary-class',
  },
};

/** Metrics a subset adds to image classification's: per-label ones for ChestMNIST, MAE for RetinaMNIST. */
export function medmnistMetrics(info: MedmnistInfo | undefined): string[] {
  if (info?.task === 'multi-label, binary-class') return ['label_accuracy', 'label_auroc'];
  if (info?.task === 'ordinal-regression') return ['mae'];
  return [];
}
