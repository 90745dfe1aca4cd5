/**
 * The dashboard's script, bundled from client/ by build.ts into client-bundle.js (generated,
 * git-ignored; wrangler's [build] and the tests' global setup write it). This declaration is
 * what tsc reads, so type checking needs no build.
 */
export declare const dashboardScript: string;
