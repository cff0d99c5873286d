/** The report pipeline: bytes → text → records → rows or summary. Free of n8n on purpose. */
export * from './errors';
export * from './limits';
export * from './statuses';
export { createReportMeta, decodeReport, type ReportFileInfo, type ReportMeta } from './decode';
export { createCsvParser, parseCsv, parseCsvBatches, type CsvOptions, type CsvParser } from './csv';
export { createJsonReportParser, parseJsonReport, parseJsonReportBatches } from './json';
export * from './rows';
export * from './summary';
export { recordBatchesFromReport, recordsFromReport, type ReadOptions } from './pipeline';
export { sampleRowBatches, type RowSample, type RowSampleOptions } from './sampleRows';
