// An empty ES module: the cold-start trial's context row (what running any ESM entry file costs).
export {};
