/** Ferry's version, kept in step with package.json by a test. */
export const FERRY_VERSION = '0.1.0';
