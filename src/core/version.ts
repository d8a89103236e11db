/** Joinery's version, shown by `joinery --version` and in the OpenAPI document. Keep equal to package.json. */
export const VERSION = '0.1.0';
