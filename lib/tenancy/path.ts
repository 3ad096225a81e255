// ltree paths as text ("mssp_a.acme.acme_eu"), compared in the app where the rows are already loaded.

/** Whether `path` is `root` or below it (ltree's `path <@ root`). */
export const pathWithin = (path: string, root: string): boolean => path === root || path.startsWith(`${root}.`);
