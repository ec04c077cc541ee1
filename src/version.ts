/** Hermes release version, printed by `--version` and reported by INFO and HELLO. */
export const VERSION = "0.1.0";

/** The Redis version Hermes reports to clients that branch on it (INFO, HELLO). */
export const REDIS_COMPAT_VERSION = "7.0.15";
