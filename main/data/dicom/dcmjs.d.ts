// Minimal typings for the parts of dcmjs the workbench uses (the package ships none).
declare module 'dcmjs' {
  interface DicomDictInstance {
    meta: Record<string, unknown>;
    dict: Record<string, unknown>;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDictInstance;
      };
      DicomMetaDictionary: {
        naturalizeDataset(dict: Record<string, unknown>): Record<string, unknown>;
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
      };
      DicomDict: new (meta: Record<string, unknown>) => DicomDictInstance;
    };
    log: { setLevel?(level: string): void; level?: unknown };
  };
  export default dcmjs;
}
