/**
 * Guards shared by every HTTP face: the bearer key (constant time), and Host
 * and Origin against DNS rebinding.
 *
 * @module
 */
export { bearerDigest, bearerMatches } from "./bearer.ts";
export { hostAllowed, isLoopbackHost, originAllowed } from "./origin.ts";
