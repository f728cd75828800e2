/** The hash slot of a key as Redis Cluster computes it (CRC16 of its hash tag), from the package ioredis uses. */
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  export = calculateSlot;
}
