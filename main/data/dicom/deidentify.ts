/**
 * Attributes of the DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile that
 * identify a patient, a study or the people and places involved (actions X, Z, D and U).
 * They are dropped from the parsed header before anything else looks at it; the workbench keeps
 * only the rendered pixels and a few technical attributes (`KEPT_ATTRIBUTES`).
 */
export const BASIC_PROFILE_ATTRIBUTES: readonly string[] = [
  'AccessionNumber',
  'AcquisitionComments',
  'AcquisitionDate',
  'AcquisitionDateTime',
  'AcquisitionDeviceProcessingDescription',
  'AcquisitionTime',
  'AdditionalPatientHistory',
  'AdmissionID',
  'AdmittingDiagnosesDescription',
  'BranchOfService',
  'ContentCreatorName',
  'ContentDate',
  'ContentTime',
  'CountryOfResidence',
  'CurrentPatientLocation',
  'DerivationDescription',
  'DeviceSerialNumber',
  'EthnicGroup',
  'FrameOfReferenceUID',
  'ImageComments',
  'InstanceCreationDate',
  'InstanceCreationTime',
  'InstanceCreatorUID',
  'InstitutionAddress',
  'InstitutionName',
  'InstitutionalDepartmentName',
  'IssuerOfPatientID',
  'MedicalAlerts',
  'MedicalRecordLocator',
  'MilitaryRank',
  'NameOfPhysiciansReadingStudy',
  'Occupation',
  'OperatorsName',
  'OtherPatientIDs',
  'OtherPatientIDsSequence',
  'OtherPatientNames',
  'PatientAddress',
  'PatientAge',
  'PatientBirthDate',
  'PatientBirthName',
  'PatientBirthTime',
  'PatientComments',
  'PatientID',
  'PatientInsurancePlanCodeSequence',
  'PatientMotherBirthName',
  'PatientName',
  'PatientReligiousPreference',
  'PatientSex',
  'PatientSize',
  'PatientState',
  'PatientTelephoneNumbers',
  'PatientWeight',
  'PerformedProcedureStepDescription',
  'PerformedProcedureStepID',
  'PerformedProcedureStepStartDate',
  'PerformedProcedureStepStartTime',
  'PerformingPhysicianName',
  'PhysiciansOfRecord',
  'ReferencedPatientSequence',
  'ReferencedStudySequence',
  'ReferringPhysicianAddress',
  'ReferringPhysicianName',
  'ReferringPhysicianTelephoneNumbers',
  'RegionOfResidence',
  'RequestAttributesSequence',
  'RequestedProcedureDescription',
  'RequestedProcedureID',
  'RequestingPhysician',
  'ResponsibleOrganization',
  'ResponsiblePerson',
  'ScheduledProcedureStepDescription',
  'SeriesDate',
  'SeriesDescription',
  'SeriesInstanceUID',
  'SeriesTime',
  'SOPInstanceUID',
  'StationName',
  'StorageMediaFileSetUID',
  'StudyDate',
  'StudyDescription',
  'StudyID',
  'StudyInstanceUID',
  'StudyTime',
  'TimezoneOffsetFromUTC',
  'UID',
  'MediaStorageSOPInstanceUID',
];

/** Technical attributes that survive de-identification (none identifies anyone). */
export const KEPT_ATTRIBUTES: readonly string[] = [
  'Modality',
  'BodyPartExamined',
  'PhotometricInterpretation',
  'Rows',
  'Columns',
  'NumberOfFrames',
  'BitsAllocated',
  'BitsStored',
  'PixelRepresentation',
  'SamplesPerPixel',
  'PlanarConfiguration',
  'RescaleSlope',
  'RescaleIntercept',
  'WindowCenter',
  'WindowWidth',
  'BurnedInAnnotation',
  'PixelData',
];

/** Keys used only in memory to keep one patient's images in one split. Never stored. */
export interface GroupingKeys {
  readonly patient?: string;
  readonly study?: string;
}

/**
 * Splits a naturalized DICOM dataset into what may be kept (`KEPT_ATTRIBUTES`, nothing else:
 * private tags and every basic-profile attribute are gone) and in-memory grouping keys.
 */
export function deidentify(dataset: Readonly<Record<string, unknown>>): {
  kept: Record<string, unknown>;
  grouping: GroupingKeys;
  removed: string[];
} {
  const kept: Record<string, unknown> = {};
  for (const key of KEPT_ATTRIBUTES) if (dataset[key] !== undefined) kept[key] = dataset[key];
  const removed = Object.keys(dataset).filter((k) => k !== '_vrMap' && !(k in kept));
  const str = (v: unknown): string | undefined => {
    const first = Array.isArray(v) ? v[0] : v;
    if (first === undefined || first === null || first === '') return undefined;
    return typeof first === 'object' ? JSON.stringify(first) : String(first);
  };
  const patient = str(dataset['PatientID']) ?? str(dataset['PatientName']);
  const study = str(dataset['StudyInstanceUID']);
  return {
    kept,
    grouping: { ...(patient ? { patient } : {}), ...(study ? { study } : {}) },
    removed,
  };
}
