export function appBuildIsStale(root: string): boolean
export function buildAppIfStale(root: string): boolean
