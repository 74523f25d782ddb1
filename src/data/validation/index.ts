/** Data validation: expectation suites with Great Expectations' semantics, evaluated by DuckDB. */
export { parseSuite, parseSuiteText, parseResultFormat } from './suite-parser.js';
export { validateTable, type ValidateTableOptions } from './validate-table.js';
export { validateFile, suggestSuiteForFile, type ValidateFileOptions } from './validate-file.js';
export { suggestSuite } from './suggest-suite.js';
export { expectationTypes } from './expectations/expectation-registry.js';
export { registerValidationRoutes, VALIDATE_PATH, SUGGEST_PATH } from './validation-routes.js';
export type {
  ExpectationConfiguration,
  ExpectationSuite,
  ExpectationValidationResult,
  ExpectationResultDetails,
  ResultFormat,
  ResultFormatName,
  ValidationResult,
  ValidationStatistics,
} from './suite-types.js';
