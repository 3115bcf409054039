export * from './column-type.ts';
export * from './value.ts';
