/** Injection token of the validated options with defaults merged. Internal. */
export const CANDESCENT_RESOLVED_OPTIONS = Symbol('CANDESCENT_RESOLVED_OPTIONS');
