/** Data profiling: per-column statistics of a table file, as JSON or a self-contained HTML report. */
export { profileTable, type ProfileOptions } from './profile-table.js';
export { profileFile, type ProfileFileOptions } from './profile-file.js';
export { renderProfileHtml } from './profile-html.js';
export { registerProfileRoutes, PROFILE_PATH } from './profile-routes.js';
export { DEFAULT_HISTOGRAM_BINS, DEFAULT_TOP_VALUES, EXACT_ROW_LIMIT } from './profile-defaults.js';
export type { ColumnProfile, HistogramBin, ProfileColumnKind, TableProfile, TopValue } from './profile-types.js';
