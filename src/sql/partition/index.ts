export * from './partitioning.ts';
export { createRouter, routeRow, type Router } from './route.ts';
export { prunePartitions } from './prune.ts';
export { addRangePartition, buildListPartitions, buildRangePartitions, checkNoOverlap, expandBatch, MAX_BATCH_PARTITIONS, type ListSpec, type RangeSpec } from './ranges.ts';
