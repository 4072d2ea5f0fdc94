/** This package's version, for hosts whose caches key on a transformer's version (ts-jest). A test keeps it equal to package.json's. */
export const VERSION = '0.1.0';
