/** Product name shown in windows, the CLI and reports. */
export const PRODUCT_NAME = 'Biomed Workbench';
